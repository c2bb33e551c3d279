"""The strict YAML loader survives garbage: random bytes and mutated profiles only ever raise ProfileError.

Every input is fed to `load_yaml_mapping_text`, which must return a mapping or raise `ProfileError` (never
another exception: no RecursionError, UnicodeError, ValueError, yaml.YAMLError...) and must answer quickly
(a generous bound against hangs, not a performance test).

The inputs come from a fixed seed, so a failure is reproducible: the message names the kind and index of the
input. By default about 200 inputs run in a few seconds. A long run of 20,000 inputs is opt-in:

    POLICYGEN_FUZZ_LONG=1 pytest tests/test_loader_fuzz.py

and POLICYGEN_FUZZ_SEED=<n> varies the seed of that run.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

import pytest
from conftest import EXAMPLES, REPO

from policygen.errors import ProfileError
from policygen.inputs.strict_yaml import LoadedYaml, load_yaml_mapping_text

LONG = os.environ.get("POLICYGEN_FUZZ_LONG") == "1"
TOTAL_INPUTS = 20_000 if LONG else 200
SEED = int(os.environ.get("POLICYGEN_FUZZ_SEED", "20251128"))
# A bound against hangs, not a performance test: 2 s plus 40 s per MiB, since a file of nothing but tiny values
# takes about 20 s per MiB of pure-Python parsing before the value limit stops it.
SECONDS_BASE = 2.0
SECONDS_PER_BYTE = 40 / (1024 * 1024)

SEEDS = [path.read_bytes() for path in sorted([*EXAMPLES.glob("*.yaml"), *(REPO / "submissions").glob("*.yaml")])]
YAML_PIECES = [
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!!str ",
    b"!!python/object:os.system ",
    b"? ",
    b"|",
    b">-",
    b"'",
    b'"',
    b"\\",
    b"#",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"\t",
    b"\n",
    b"\r",
    b"  ",
    b"<<: ",
    b"~",
    b"null",
    b"yes",
    b"12:30",
    b"0x1F",
    b"2025-02-30",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\\u202e",
    b"\\ud800",
    "ңөү«»\u2028\u0085".encode(),
]


def _flip_bits(rng: random.Random) -> bytes:
    data = bytearray(rng.choice(SEEDS))
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _insert_bytes(rng: random.Random) -> bytes:
    data = rng.choice(SEEDS)
    for _ in range(rng.randint(1, 10)):
        position = rng.randint(0, len(data))
        extra = rng.choice(YAML_PIECES) if rng.random() < 0.6 else rng.randbytes(rng.randint(1, 16))
        data = data[:position] + extra + data[position:]
    return data


def _delete_bytes(rng: random.Random) -> bytes:
    data = rng.choice(SEEDS)
    for _ in range(rng.randint(1, 10)):
        start = rng.randrange(len(data))
        data = data[:start] + data[start + rng.randint(1, 200) :]
        if not data:
            break
    return data


def _splice_lines(rng: random.Random) -> bytes:
    """Lines of the examples shuffled, repeated and cut: plausible YAML in a wrong shape."""
    lines = [line for source in SEEDS for line in source.splitlines(keepends=True)]
    picked = [rng.choice(lines) for _ in range(rng.randint(1, 300))]
    if rng.random() < 0.5:
        picked = [b" " * rng.randint(0, 8) + line.lstrip(b" ") for line in picked]
    return b"".join(picked)


def _random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(0, 4096))


def _random_printable(rng: random.Random) -> bytes:
    alphabet = "abcxyz019 :-[]{},&*!|>'\"#?%@`\t\n" + "ңөүҢӨҮабв«»"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 2000))).encode("utf-8")


def _deep_nesting(rng: random.Random) -> bytes:
    depth = rng.choice([50, 500, 5_000, 50_000, 200_000])
    shape = rng.choice(["flow-list", "flow-map", "unclosed", "block-list", "block-map"])
    if shape == "flow-list":
        return b"x: " + b"[" * depth + b"]" * depth + b"\n"
    if shape == "flow-map":
        return b"x: " + b"{a: " * depth + b"}" * depth + b"\n"
    if shape == "unclosed":
        return b"x: " + b"[" * depth
    depth = min(depth, 5_000)  # block indentation grows with depth: keep the file under the size limit
    if shape == "block-list":
        return b"x:\n" + b"".join(b" " * level + b"- \n" for level in range(depth))
    return b"x:\n" + b"".join(b" " * level + b"k:\n" for level in range(depth))


def _many_values(rng: random.Random) -> bytes:
    """Large but legal-looking files: many keys, long lists, long lines, around the size and value limits
    (the long run goes up to the limits; the default run stays small, as parsing 100,000 values takes seconds)."""
    most = 1 if LONG else 0.1
    kind = rng.choice(["keys", "list", "line", "oversized"])
    if kind == "keys":
        return b"".join(b"k%d: v\n" % index for index in range(rng.randint(1_000, int(110_000 * most))))
    if kind == "list":
        return b"x: [" + b"1," * rng.randint(1_000, int(110_000 * most)) + b"]\n"
    if kind == "line":
        return b"x: " + b"a" * rng.randint(1_000, 1_100_000) + b"\n"
    return b"#" * (1024 * 1024 + 1)


GENERATORS: dict[str, Callable[[random.Random], bytes]] = {
    "flip-bits": _flip_bits,
    "insert-bytes": _insert_bytes,
    "delete-bytes": _delete_bytes,
    "splice-lines": _splice_lines,
    "random-bytes": _random_bytes,
    "random-printable": _random_printable,
    "deep-nesting": _deep_nesting,
    "many-values": _many_values,
}
# the slow kinds: fewer of them (a file of 100,000 values takes seconds to refuse)
WEIGHTS = {"deep-nesting": 0.25, "many-values": 0.02 if LONG else 0.25}


def _count(kind: str) -> int:
    share = TOTAL_INPUTS / sum(WEIGHTS.get(name, 1.0) for name in GENERATORS)
    return max(3, round(share * WEIGHTS.get(kind, 1.0)))


@pytest.mark.parametrize("kind", list(GENERATORS))
def test_loader_only_raises_profile_error_on_fuzzed_input(kind: str):
    rng = random.Random(f"{SEED}-{kind}")
    for index in range(_count(kind)):
        data = GENERATORS[kind](rng)
        # as bytes, or as text (bytes that are not UTF-8 become lone surrogates, which must be refused too)
        for given in [data if index % 2 else data.decode("utf-8", "surrogateescape")]:
            started = time.monotonic()
            try:
                loaded = load_yaml_mapping_text(given, "fuzz.yaml")
            except ProfileError as error:
                assert error.diagnostics(), f"{kind} #{index}: a ProfileError without diagnostics"
                assert all(diagnostic.file == "fuzz.yaml" for diagnostic in error.diagnostics())
                error.format()  # every diagnostic can be printed
            except BaseException as error:
                raise AssertionError(
                    f"{kind} #{index} (seed {SEED}): {type(error).__name__}: {error}\ninput starts: {data[:300]!r}"
                ) from error
            else:
                assert isinstance(loaded, LoadedYaml) and isinstance(loaded.data, dict)
            elapsed = time.monotonic() - started
            bound = SECONDS_BASE + SECONDS_PER_BYTE * len(data)
            assert elapsed < bound, f"{kind} #{index}: {elapsed:.1f} s for {len(data)} bytes (bound {bound:.1f} s)"
