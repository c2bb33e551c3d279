"""The interface's words in English, Russian and Kyrgyz; the language from the user's choice or the browser's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from policygen import load_packaged_data

UI_LANGUAGES = ("ky", "ru", "en")
DEFAULT_UI_LANGUAGE = "en"

# key: (en, ru, ky)
_MESSAGES: dict[str, tuple[str, str, str]] = {
    "app_title": ("Workplace harassment policies", "Политика против домогательств", "Куугунтуктоого каршы саясат"),
    "institutions": ("Institutions", "Учреждения", "Мекемелер"),
    "new_institution": ("New institution", "Новое учреждение", "Жаңы мекеме"),
    "start": ("Start", "Начать", "Баштоо"),
    "login": ("Sign in", "Войти", "Кирүү"),
    "logout": ("Sign out", "Выйти", "Чыгуу"),
    "username": ("User name", "Имя пользователя", "Колдонуучунун аты"),
    "password": ("Password", "Пароль", "Сырсөз"),
    "login_failed": (
        "Wrong user name or password.",
        "Неверное имя пользователя или пароль.",
        "Колдонуучунун аты же сырсөз туура эмес.",
    ),
    "signed_in_as": ("Signed in as", "Вы вошли как", "Сиз кирдиңиз:"),
    "local_mode": (
        "No user is defined: anyone on this computer can edit. Add users with `policygen users add` before opening the server to the network.",
        "Пользователи не заданы: редактировать может любой на этом компьютере. Добавьте пользователей командой `policygen users add`, прежде чем открывать сервер в сеть.",
        "Колдонуучулар аныкталган эмес: бул компьютердеги ар бир адам өзгөртө алат. Серверди тармакка ачуудан мурун `policygen users add` буйругу менен колдонуучуларды кошуңуз.",
    ),
    "interface_language": ("Interface language", "Язык интерфейса", "Интерфейстин тили"),
    "save": ("Save", "Сохранить", "Сактоо"),
    "saved": (
        "Saved. The previous version is kept in the history.",
        "Сохранено. Предыдущая версия сохранена в истории.",
        "Сакталды. Мурунку версия тарыхта сакталат.",
    ),
    "not_saved": (
        "Not saved: correct the fields marked below. Nothing was written; what you typed is kept.",
        "Не сохранено: исправьте отмеченные поля. Ничего не записано, введённое сохранено в форме.",
        "Сакталган жок: белгиленген талааларды оңдоңуз. Эч нерсе жазылган жок, киргизгениңиз формада калды.",
    ),
    "errors_found": ("Problems found", "Найденные ошибки", "Табылган каталар"),
    "no_errors": ("No problems: the profile is valid.", "Ошибок нет: профиль корректен.", "Ката жок: профиль туура."),
    "conflict": (
        "Not saved: {user} saved this profile at {time} after you opened it. Their changes are shown below; what you typed is kept. Reload the page to start from their version.",
        "Не сохранено: {user} сохранил(а) этот профиль в {time}, после того как вы его открыли. Изменения показаны ниже; введённое вами сохранено в форме. Обновите страницу, чтобы начать с новой версии.",
        "Сакталган жок: {user} бул профилди сиз ачкандан кийин {time} сактады. Анын өзгөртүүлөрү төмөндө; сиз киргизгендер формада калды. Жаңы версиядан баштоо үчүн баракты жаңыртыңыз.",
    ),
    "conflict_outside": (
        "Not saved: the file was changed on disk (in a text editor or by another program) after you opened it. The changes are shown below; what you typed is kept. Reload the page to start from the new version.",
        "Не сохранено: файл изменён на диске (в текстовом редакторе или другой программой) после того как вы его открыли. Изменения показаны ниже; введённое вами сохранено в форме. Обновите страницу, чтобы начать с новой версии.",
        "Сакталган жок: файл сиз ачкандан кийин дискте өзгөртүлдү (текст редакторунда же башка программа менен). Өзгөртүүлөр төмөндө; сиз киргизгендер формада калды. Жаңы версиядан баштоо үчүн баракты жаңыртыңыз.",
    ),
    "add_row": ("Add", "Добавить", "Кошуу"),
    "remove_row": ("Remove", "Удалить", "Өчүрүү"),
    "row": ("Entry", "Запись", "Жазуу"),
    "inherited": ("From the base profile:", "Из базового профиля:", "Негизги профилден:"),
    "inherited_rows": (
        "{count} entries come from the base profile; entries added here replace them.",
        "{count} записей берутся из базового профиля; записи, добавленные здесь, заменяют их.",
        "{count} жазуу негизги профилден алынат; бул жерде кошулгандар аларды алмаштырат.",
    ),
    "optional": ("optional", "необязательно", "милдеттүү эмес"),
    "choose": ("(choose)", "(выберите)", "(тандаңыз)"),
    "one_spelling": (
        "one spelling for every language",
        "одно написание для всех языков",
        "бардык тилдер үчүн бир жазылыш",
    ),
    "preview": ("Preview", "Просмотр", "Алдын ала көрүү"),
    "document": ("Document", "Документ", "Документ"),
    "language": ("Language", "Язык", "Тил"),
    "open_preview": ("Open the preview", "Открыть просмотр", "Алдын ала көрүүнү ачуу"),
    "preview_unavailable": (
        "The preview appears when the profile is valid.",
        "Просмотр появится, когда профиль будет корректен.",
        "Профиль туура болгондо алдын ала көрүү пайда болот.",
    ),
    "preview_stale": (
        "The preview shows the last valid version; it follows your changes again once the problems are corrected.",
        "Просмотр показывает последнюю корректную версию; он снова следует за изменениями, когда ошибки исправлены.",
        "Алдын ала көрүү акыркы туура версияны көрсөтөт; каталар оңдолгондо ал кайра өзгөртүүлөрүңүздү көрсөтөт.",
    ),
    "preview_of_unsaved": (
        "Preview of what you typed (not saved yet)",
        "Просмотр введённого (ещё не сохранено)",
        "Киргизилгендин көрүнүшү (азырынча сакталган эмес)",
    ),
    "coverage": ("Completeness check", "Проверка полноты", "Толуктукту текшерүү"),
    "required_covered": (
        "Required elements covered: {covered} of {total}",
        "Обязательных элементов охвачено: {covered} из {total}",
        "Милдеттүү элементтер камтылды: {total} ичинен {covered}",
    ),
    "missing_elements": (
        "Missing required elements",
        "Отсутствуют обязательные элементы",
        "Жетишпеген милдеттүү элементтер",
    ),
    "in_this_document": ("Covered in this document", "Охвачено в этом документе", "Бул документте камтылган"),
    "draft_note": (
        "DRAFT: the text of this document has not been reviewed by a legal translator yet.",
        "ПРОЕКТ: текст этого документа ещё не проверен юридическим переводчиком.",
        "ДОЛБООР: бул документтин текстин юридикалык котормочу азырынча текшере элек.",
    ),
    "download": ("Download DOCX and PDF", "Скачать DOCX и PDF", "DOCX жана PDF жүктөп алуу"),
    "download_explain": (
        "Builds every document of the saved profile in its languages, as Word and PDF files, in one zip.",
        "Собирает все документы сохранённого профиля на его языках в форматах Word и PDF в один zip-архив.",
        "Сакталган профилдин бардык документтерин анын тилдеринде Word жана PDF форматында бир zip архивге чогултат.",
    ),
    "build_start": ("Build the documents", "Собрать документы", "Документтерди түзүү"),
    "building": (
        "Building: {done} of {total} languages done…",
        "Сборка: готово {done} из {total} языков…",
        "Түзүлүүдө: {total} тилдин {done} даяр…",
    ),
    "build_waiting": ("Starting the build…", "Запуск сборки…", "Түзүү башталууда…"),
    "build_done": ("The documents are ready.", "Документы готовы.", "Документтер даяр."),
    "build_failed": (
        "The documents could not be built:",
        "Не удалось собрать документы:",
        "Документтерди түзүү мүмкүн болгон жок:",
    ),
    "download_zip": ("Download the zip", "Скачать zip", "Zip жүктөп алуу"),
    "history": ("History", "История", "Тарых"),
    "saved_by": ("saved by", "сохранил(а)", "сактаган"),
    "compare_previous": (
        "changes from the previous version",
        "изменения относительно предыдущей версии",
        "мурунку версиядан өзгөртүүлөр",
    ),
    "no_history": ("No version saved yet.", "Сохранённых версий пока нет.", "Азырынча сакталган версия жок."),
    "forbidden": (
        "You may not open this institution.",
        "У вас нет доступа к этому учреждению.",
        "Бул мекемеге кирүүгө уруксатыңыз жок.",
    ),
    "internal_error": (
        "policygen failed on this request (a bug, reported on the server). Try again, or tell your administrator.",
        "policygen не смог выполнить запрос (ошибка программы, записана на сервере). Повторите или сообщите администратору.",
        "policygen бул суроону аткара алган жок (программанын катасы, серверде жазылды). Кайра аракет кылыңыз же администраторго билдириңиз.",
    ),
    "not_found": ("There is no such page.", "Такой страницы нет.", "Мындай барак жок."),
    "csrf_failed": (
        "The form had expired or did not come from this site. Reload the page and try again.",
        "Форма устарела или отправлена не с этого сайта. Обновите страницу и попробуйте снова.",
        "Форманын мөөнөтү өттү же ал бул сайттан жөнөтүлгөн эмес. Баракты жаңыртып, кайра аракет кылыңыз.",
    ),
    "too_large": (
        "The request is larger than 1 MB and was refused.",
        "Запрос больше 1 МБ и отклонён.",
        "Суроо-талап 1 МБдан чоң, ал четке кагылды.",
    ),
    "unreadable_file": (
        "The profile file cannot be edited in the browser until it is corrected:",
        "Файл профиля нельзя редактировать в браузере, пока он не исправлен:",
        "Профиль файлы оңдолмоюнча аны браузерде өзгөртүүгө болбойт:",
    ),
    "new_explain": (
        "Choose the id, type and languages. Everything national (the Ministry, support services, time limits) comes from the national base profile; you fill in the rest.",
        "Выберите идентификатор, тип и языки. Всё общенациональное (министерство, службы поддержки, сроки) берётся из национального базового профиля; остальное заполните вы.",
        "Идентификаторду, түрүн жана тилдерди тандаңыз. Бардык улуттук маалымат (министрлик, колдоо кызматтары, мөөнөттөр) улуттук негизги профилден алынат; калганын сиз толтурасыз.",
    ),
    "id_help": (
        "Lowercase Latin letters, digits and hyphens, e.g. naryn-regional-hospital; it names the file.",
        "Строчные латинские буквы, цифры и дефисы, например naryn-regional-hospital; это имя файла.",
        "Кичине латын тамгалары, сандар жана дефистер, мисалы naryn-regional-hospital; бул файлдын аты.",
    ),
    "bad_id": ("This id is not allowed.", "Такой идентификатор недопустим.", "Мындай идентификаторго жол берилбейт."),
    "exists": (
        "An institution with this id exists already.",
        "Учреждение с таким идентификатором уже есть.",
        "Мындай идентификатору бар мекеме бар.",
    ),
    "field": ("Field", "Поле", "Талаа"),
    "skip_to_form": ("Skip to the form", "Перейти к форме", "Формага өтүү"),
    "sections": ("Sections", "Разделы", "Бөлүмдөр"),
    "general": ("General", "Общие сведения", "Жалпы маалымат"),
    "back": ("Back to the form", "Назад к форме", "Формага кайтуу"),
    "edit": ("Edit", "Изменить", "Өзгөртүү"),
    "your_changes": (
        "What the other person changed",
        "Что изменил другой пользователь",
        "Башка колдонуучу эмнени өзгөрттү",
    ),
}

FIELD_LABELS: dict[str, tuple[str, str, str]] = {
    "id": ("Id", "Идентификатор", "Идентификатор"),
    "type": ("Type of institution", "Тип учреждения", "Мекеменин түрү"),
    "extends": ("Base profile", "Базовый профиль", "Негизги профиль"),
    "languages": ("Languages of the documents", "Языки документов", "Документтердин тилдери"),
    "name": ("Name", "Название", "Аталышы"),
    "person_name": ("Full name", "ФИО", "Аты-жөнү"),
    "short_name": ("Short name", "Краткое название", "Кыскача аталышы"),
    "city": ("City or village", "Город или село", "Шаар же айыл"),
    "address": ("Address", "Адрес", "Дарек"),
    "contacts": ("Contacts", "Контакты", "Байланыш"),
    "phone": ("Phone", "Телефон", "Телефон"),
    "email": ("E-mail", "Эл. почта", "Эл. почта"),
    "website": ("Website", "Веб-сайт", "Веб-сайт"),
    "head": ("Head of the institution", "Руководитель", "Жетекчи"),
    "position": ("Position", "Должность", "Кызматы"),
    "approval": ("Approving order", "Приказ об утверждении", "Бекитүү буйругу"),
    "order_number": ("Order number", "Номер приказа", "Буйруктун номери"),
    "order_date": ("Order date", "Дата приказа", "Буйруктун датасы"),
    "approved_by": ("Approved by order of", "Утверждено приказом", "Бекиткен буйрук"),
    "effective_date": ("In force from", "Вступает в силу", "Күчүнө кирет"),
    "staff_count": ("Number of staff", "Численность работников", "Кызматкерлердин саны"),
    "student_count": ("Number of students", "Численность студентов", "Студенттердин саны"),
    "resident_count": ("Number of residents", "Численность ординаторов", "Ординаторлордун саны"),
    "focal_points": ("Focal points", "Ответственные лица (координаторы)", "Жооптуу адамдар (координаторлор)"),
    "room": ("Room", "Кабинет", "Бөлмө"),
    "commission": ("Complaints commission", "Комиссия по жалобам", "Даттануулар боюнча комиссия"),
    "chair": ("Chair", "Председатель", "Төрага"),
    "members": ("Members", "Члены", "Мүчөлөр"),
    "union_representative": ("Union representative", "Представитель профсоюза", "Кесиптик бирликтин өкүлү"),
    "secretary": ("Secretary", "Секретарь", "Катчы"),
    "external_member": ("External member", "Внешний член", "Сырткы мүчө"),
    "reporting_channels": ("Reporting channels", "Каналы сообщения", "Кабарлоо каналдары"),
    "kind": ("Kind", "Вид", "Түрү"),
    "details": ("Details", "Подробности", "Кеңири маалымат"),
    "contact": ("Contact", "Контакт", "Байланыш"),
    "anonymous": ("Anonymous", "Анонимно", "Аноним"),
    "deadlines": ("Time limits (days)", "Сроки (дни)", "Мөөнөттөр (күн)"),
    "handover_working_days": (
        "Pass a report on (working days)",
        "Передача сообщения (рабочие дни)",
        "Кабарды өткөрүп берүү (иш күндөрү)",
    ),
    "acknowledgement_days": ("Acknowledge a complaint", "Подтверждение жалобы", "Даттанууну ырастоо"),
    "interim_measures_days": ("Decide interim measures", "Решение о временных мерах", "Убактылуу чаралар боюнча чечим"),
    "investigation_order_working_days": (
        "Order the investigation (working days)",
        "Назначение расследования (рабочие дни)",
        "Териштирүүнү дайындоо (иш күндөрү)",
    ),
    "investigation_days": ("Investigation", "Расследование", "Иликтөө"),
    "extension_days": ("Longest extension", "Максимальное продление", "Эң узак узартуу"),
    "decision_days": ("Head's decision", "Решение руководителя", "Жетекчинин чечими"),
    "appeal_days": ("Appeal", "Обжалование", "Даттануу (апелляция)"),
    "appeal_decision_days": ("Answer to an appeal", "Ответ на жалобу на решение", "Чечимге даттанууга жооп"),
    "union": ("Trade union branch", "Первичная профсоюзная организация", "Кесиптик бирликтин баштапкы уюму"),
    "consulted_on": ("Consulted on", "Дата консультации", "Консультациянын датасы"),
    "consultation_record": ("Record of the consultation", "Протокол консультации", "Консультациянын протоколу"),
    "support_services": ("Support services", "Службы поддержки", "Колдоо кызматтары"),
    "labour_inspectorate": ("Labour inspectorate", "Трудовая инспекция", "Эмгек инспекциясы"),
    "ministry": ("Ministry", "Министерство", "Министрлик"),
    "legal_bases": ("Legal bases", "Правовые основания", "Укуктук негиздер"),
    "title": ("Title", "Название", "Аталышы"),
    "verified": ("Verified by a lawyer", "Проверено юристом", "Юрист текшерген"),
    "training": ("Training", "Обучение", "Окутуу"),
    "induction_within_days": (
        "Induction within (days)",
        "Вводное обучение в течение (дней)",
        "Киришүү окутуусу (күн ичинде)",
    ),
    "refresher_every_months": (
        "Refresher every (months)",
        "Повторное обучение каждые (месяцев)",
        "Кайталоо окутуусу (ай сайын)",
    ),
    "induction_hours": ("Induction (hours)", "Вводное обучение (часов)", "Киришүү окутуусу (саат)"),
    "sessions": ("Sessions", "Занятия", "Сабактар"),
    "date": ("Date", "Дата", "Датасы"),
    "audience": ("Audience", "Участники", "Катышуучулар"),
    "place": ("Place", "Место", "Орду"),
    "control_officer": ("Control of execution", "Контроль исполнения", "Аткарууну көзөмөлдөө"),
    "clauses": ("Clauses of your own", "Собственные пункты", "Өз пункттары"),
    "disable": (
        "Optional clauses switched off",
        "Отключённые необязательные пункты",
        "Өчүрүлгөн милдеттүү эмес пункттар",
    ),
    "add": ("Clauses added", "Добавленные пункты", "Кошулган пункттар"),
    "replace": ("Clauses replaced", "Заменённые пункты", "Алмаштырылган пункттар"),
    "after": ("After the clause", "После пункта", "Пункттан кийин"),
    "text": ("Text (Markdown)", "Текст (Markdown)", "Текст (Markdown)"),
    "clause": ("Clause", "Пункт", "Пункт"),
    "review_period_years": ("Review every (years)", "Пересмотр каждые (лет)", "Кайра кароо (жыл сайын)"),
    "records_retention_years": (
        "Keep complaint files (years)",
        "Хранение материалов жалоб (лет)",
        "Даттануу материалдарын сактоо (жыл)",
    ),
}

FLAG_LABELS: dict[str, tuple[str, str, str]] = {
    "true": ("yes", "да", "ооба"),
    "false": ("no", "нет", "жок"),
}

DOCUMENT_LABELS: dict[str, tuple[str, str, str]] = {
    "policy": ("Policy", "Положение", "Жобо"),
    "code-of-conduct": ("Code of conduct", "Кодекс поведения", "Жүрүм-турум кодекси"),
    "complaint-procedure": ("Complaint procedure", "Порядок рассмотрения жалоб", "Даттанууларды кароо тартиби"),
    "training-programme": ("Training programme", "Программа обучения", "Окутуу программасы"),
    "adoption-order": ("Adoption order", "Приказ", "Буйрук"),
}


def _field_help() -> dict[str, dict[str, str]]:
    return load_packaged_data("web-help.yaml").data


FIELD_HELP = _field_help()
"""Each field's help in Russian and Kyrgyz, by its key path without list indices; in English, the schema's own."""


def _pick(table: dict[str, tuple[str, str, str]], key: str, lang: str) -> str:
    entry = table.get(key)
    if entry is None:
        return key
    return entry[("en", "ru", "ky").index(lang)]


@dataclass(frozen=True)
class DocumentWords:
    """Words the form shares with the documents, as one language's strings file (templates/strings/<lang>.yaml)
    has them: the names of fixed choices by the file's section (institution_type, channel, support, audience),
    and of the workspace's languages."""

    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    languages: Mapping[str, str] = field(default_factory=dict)


class Translator:
    """The interface's words in one language, with the documents' words for choices and languages."""

    def __init__(self, lang: str, words: DocumentWords | None = None) -> None:
        self.lang = lang if lang in UI_LANGUAGES else DEFAULT_UI_LANGUAGE
        self.words = words or DocumentWords()

    def __call__(self, key: str, **values: object) -> str:
        text = _pick(_MESSAGES, key, self.lang)
        return text.format(**values) if values else text

    def label(self, key: str) -> str:
        return _pick(FIELD_LABELS, key, self.lang) if key in FIELD_LABELS else key.replace("_", " ")

    def help(self, key_path: str, english: str) -> str:
        """A field's help (`key_path` without list indices): the schema's own text in English, else its translation."""
        if self.lang == "en":
            return english
        return FIELD_HELP.get(key_path, {}).get(self.lang, english)

    def choice(self, value: str, section: str = "") -> str:
        """A fixed choice as the documents name it (`section` of the strings file), else as the interface does."""
        if section:
            return self.words.choices.get(section, {}).get(value, value)
        return _pick(FLAG_LABELS, value, self.lang)

    def language(self, lang: str) -> str:
        """A language's name as a label: the strings file's list name, capitalised (кыргыз: Кыргыз)."""
        name = self.words.languages.get(lang, lang)
        return name[:1].upper() + name[1:]

    def document(self, doc_id: str) -> str:
        return _pick(DOCUMENT_LABELS, doc_id, self.lang)


def preferred_language(accept_language: str | None) -> str:
    """The first of ky, ru, en the browser's Accept-Language asks for (by weight), else English."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in UI_LANGUAGES and weight > 0:
            choices.append((-weight, position, primary))
    return min(choices)[2] if choices else DEFAULT_UI_LANGUAGE
