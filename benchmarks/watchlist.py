"""The evaluation's watch list: persons and places with the names an analyst would write.

Where the aliases come from (docs/matching.md says the same): this table was written by hand from
general knowledge — the spelling each language's Wikipedia and press use for the name, plus a few
variants every desk knows (سيرغي/سيرجي, Kiev/Kyiv, РФ) — never copied from the test texts. Names
are base forms only: Russian in the nominative, Arabic without clitics (و ب ل ال added to a name
that lacks it), English without possessives; inflection and clitics are the matcher's job.

Columns: kind (P person, L place) | English (the first is the canonical name) | Arabic | Russian
| French | gold-only keys. Names within a column are separated by ";"; an indented line
continues the entry above it.

Gold-only keys are spellings or identifiers the corpora use for the entity that the analyst did
*not* list (a BSNLP cross-lingual id, a spelling seen in a corpus, a colloquial or former name:
Питер, Ленинград). They are used only to decide
which gold mentions belong to the entity, never as aliases, so a missing alias costs recall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from benchmarks.common import gold_norm, slug

__all__ = ["WATCHLIST", "WatchEntity", "by_id", "link_index"]

LANGUAGES = ("en", "ar", "ru", "fr")


@dataclass(frozen=True, slots=True)
class WatchEntity:
    id: str
    kind: str  # "person" | "place"
    names: dict[str, tuple[str, ...]]  # language -> names the analyst lists
    gold: tuple[str, ...] = ()  # gold-only linking keys (see module doc)

    @property
    def canonical(self) -> str:
        return self.names["en"][0]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every listed name except the canonical one, all languages, first occurrence kept."""
        every = (n for lang in LANGUAGES for n in self.names.get(lang, ()))
        return tuple(n for n in dict.fromkeys(every) if n != self.canonical)

    def link_keys(self) -> set[str]:
        """Normalised strings that link a gold mention to this entity."""
        listed = (n for names in self.names.values() for n in names)
        derived = {"GPE-" + n.replace(" ", "-") for n in self.names["en"]}
        derived |= {"LOC-" + n.replace(" ", "-") for n in self.names["en"]}
        derived |= {"PER-" + n.replace(" ", "-") for n in self.names["en"]}
        return {gold_norm(k) for k in (*listed, *derived, *self.gold)}


# fmt: off
_TABLE = """
L Syria | سوريا; سورية | Сирия | Syrie |
L Russia; Russian Federation | روسيا; روسيا الاتحادية | Россия; Российская Федерация; РФ | Russie |
L United States; United States of America; U.S.; US; USA
    | الولايات المتحدة; الولايات المتحدة الأمريكية; الولايات المتحدة الأميركية
    | США; Соединённые Штаты; Соединённые Штаты Америки | États-Unis | U.S.A.
L Moscow | موسكو | Москва | Moscou |
L Washington | واشنطن | Вашингтон | Washington | GPE-WashingtonDC
L Geneva | جنيف | Женева | Genève |
L Aleppo | حلب | Алеппо | Alep |
L Ankara | أنقرة | Анкара | Ankara |
L Turkey; Türkiye | تركيا | Турция | Turquie |
L Kremlin | الكرملين | Кремль | Kremlin |
L Damascus | دمشق | Дамаск | Damas |
L Lebanon | لبنان | Ливан | Liban |
L Israel | إسرائيل | Израиль | Israël |
L Iraq | العراق | Ирак | Irak |
L China; People's Republic of China | الصين | Китай; КНР | Chine |
L Iran | إيران | Иран | Iran |
L France | فرنسا | Франция | France |
L Egypt | مصر | Египет | Égypte |
L Middle East | الشرق الأوسط | Ближний Восток | Moyen-Orient |
L United Kingdom; UK; Britain; Great Britain | بريطانيا; المملكة المتحدة
    | Великобритания; Британия; Соединённое Королевство | Royaume-Uni; Grande-Bretagne |
L Germany | ألمانيا | Германия | Allemagne |
L Africa | أفريقيا; إفريقيا | Африка | Afrique |
L London | لندن | Лондон | Londres |
L Baghdad | بغداد | Багдад | Bagdad |
L Morocco | المغرب | Марокко | Maroc |
L Mecca; Makkah | مكة; مكة المكرمة | Мекка | La Mecque |
L Hong Kong | هونغ كونغ; هونج كونج | Гонконг | Hong Kong |
L Afghanistan | أفغانستان | Афганистан | Afghanistan |
L Gaza | غزة; قطاع غزة | Газа; сектор Газа | Gaza |
L Cairo | القاهرة | Каир | Le Caire |
L New York | نيويورك | Нью-Йорк | New York |
L Europe | أوروبا | Европа | Europe |
L Beirut | بيروت | Бейрут | Beyrouth |
L Italy | إيطاليا | Италия | Italie |
L Spain | إسبانيا | Испания | Espagne |
L Dubai | دبي | Дубай | Dubaï |
L Darfur | دارفور | Дарфур | Darfour |
L Tehran | طهران | Тегеран | Téhéran |
L Persian Gulf; Arabian Gulf | الخليج العربي; الخليج الفارسي | Персидский залив
    | golfe Persique | الخليج
L Palestine | فلسطين | Палестина | Palestine |
L Doha | الدوحة | Доха | Doha |
L Sudan | السودان | Судан | Soudan |
L Brazil | البرازيل | Бразилия | Brésil |
L Qatar | قطر | Катар | Qatar |
L Asia | آسيا | Азия | Asie |
L Jordan | الأردن | Иордания | Jordanie |
L Paris | باريس | Париж | Paris |
L Japan | اليابان | Япония | Japon |
L Pakistan | باكستان | Пакистан | Pakistan |
L India | الهند | Индия | Inde |
L Venezuela | فنزويلا | Венесуэла | Venezuela |
L Valencia | فالنسيا | Валенсия | Valence | بلنسية
L Mashhad | مشهد | Мешхед | Mechhed |
L Madrid | مدريد | Мадрид | Madrid |
L Berlin | برلين | Берлин | Berlin |
L Kuwait | الكويت | Кувейт | Koweït |
L Somalia | الصومال | Сомали | Somalie |
L Rome | روما | Рим | Rome |
L Yemen | اليمن | Йемен | Yémen |
L Tunisia | تونس | Тунис | Tunisie |
L Saudi Arabia | السعودية; المملكة العربية السعودية | Саудовская Аравия | Arabie saoudite |
L Ukraine | أوكرانيا | Украина | Ukraine |
L Kyiv; Kiev | كييف | Киев | Kiev |
L Crimea | القرم; شبه جزيرة القرم | Крым | Crimée |
L Minsk | مينسك | Минск | Minsk |
L Soviet Union; USSR | الاتحاد السوفيتي | СССР; Советский Союз | Union soviétique; URSS |
L Saint Petersburg; St. Petersburg | سانت بطرسبرغ | Санкт-Петербург; Петербург | Saint-Pétersbourg
    | Питер; Ленинград
L Belarus | بيلاروسيا; روسيا البيضاء | Белоруссия; Беларусь | Biélorussie |
L Kazakhstan | كازاخستان | Казахстан | Kazakhstan |
L Georgia | جورجيا | Грузия | Géorgie |
L Netherlands; Holland | هولندا | Нидерланды; Голландия | Pays-Bas |
L Donbas; Donbass | دونباس | Донбасс | Donbass |
L Greece | اليونان | Греция | Grèce |
L Australia | أستراليا | Австралия | Australie |
L Albania | ألبانيا | Албания | Albanie |
L Poland | بولندا | Польша | Pologne |
L Denmark | الدنمارك | Дания | Danemark |
L Brussels | بروكسل | Брюссель | Bruxelles | GPE-Brussles
L Austria | النمسا | Австрия | Autriche |
L Romania | رومانيا | Румыния | Roumanie |
L Sweden | السويد | Швеция | Suède |
L Finland | فنلندا | Финляндия | Finlande |
L Lithuania | ليتوانيا | Литва | Lituanie |
L Latvia | لاتفيا | Латвия | Lettonie |
L Switzerland | سويسرا | Швейцария | Suisse |
L Bulgaria | بلغاريا | Болгария | Bulgarie |
L Warsaw | وارسو | Варшава | Varsovie |
L Baltic Sea | بحر البلطيق | Балтийское море | mer Baltique |
L Beijing; Peking | بكين | Пекин | Pékin |
L Ontario | أونتاريو | Онтарио | Ontario |
L North Carolina | نورث كارولينا; كارولينا الشمالية | Северная Каролина | Caroline du Nord |
L Mexico | المكسيك | Мексика | Mexique |
L Brisbane | بريزبن | Брисбен | Brisbane |
L Mongolia | منغوليا | Монголия | Mongolie |
L Papua New Guinea | بابوا غينيا الجديدة | Папуа — Новая Гвинея; Папуа-Новая Гвинея
    | Papouasie-Nouvelle-Guinée |
L England | إنجلترا; إنكلترا | Англия | Angleterre |
P Sergey Lavrov; Sergei Lavrov; Lavrov | سيرغي لافروف; سيرجي لافروف; لافروف
    | Сергей Лавров; Лавров | Sergueï Lavrov |
P John Kerry; Kerry | جون كيري; كيري | Джон Керри; Керри | |
P Vladimir Putin; Putin | فلاديمير بوتين; بوتين | Владимир Путин; Путин
    | Vladimir Poutine; Poutine |
P Mark Toner; Toner | مارك تونر; تونر | Марк Тонер; Тонер | |
P Sergei Shoigu; Sergey Shoigu; Shoigu | سيرغي شويغو; سيرجي شويغو; شويغو
    | Сергей Шойгу; Шойгу | Sergueï Choïgou; Choïgou |
P Kofi Annan; Annan | كوفي أنان; كوفي عنان; أنان; عنان | Кофи Аннан; Аннан | |
P Albert Einstein; Einstein | ألبرت أينشتاين; أينشتاين | Альберт Эйнштейн; Эйнштейн | |
P Naguib Mahfouz; Mahfouz | نجيب محفوظ; محفوظ | Нагиб Махфуз; Махфуз | Naguib Mahfouz |
P George W. Bush; George Bush; Bush | جورج بوش; جورج دبليو بوش; بوش | Джордж Буш; Буш | |
P Tony Blair; Blair | توني بلير; بلير | Тони Блэр; Блэр | |
P Condoleezza Rice; Rice | كوندوليزا رايس; رايس | Кондолиза Райс; Райс | |
P Javier Solana; Solana | خافيير سولانا; سولانا | Хавьер Солана; Солана | |
P Sigmund Freud; Freud | سيغموند فرويد; فرويد | Зигмунд Фрейд; Фрейд | |
P Fouad Siniora; Siniora | فؤاد السنيورة; السنيورة | Фуад Синьора; Синьора | |
P Dmitry Medvedev; Dmitri Medvedev; Medvedev | دميتري ميدفيديف; ميدفيديف
    | Дмитрий Медведев; Медведев | Dmitri Medvedev |
P Barack Obama; Obama | باراك أوباما; أوباما | Барак Обама; Обама | |
P Petro Poroshenko; Poroshenko | بيترو بوروشينكو; بوروشينكو
    | Пётр Порошенко; Петро Порошенко; Порошенко | Petro Porochenko; Porochenko |
P Angela Merkel; Merkel | أنجيلا ميركل; ميركل | Ангела Меркель; Меркель | |
P Yury Luzhkov; Yuri Luzhkov; Luzhkov | يوري لوجكوف; لوجكوف | Юрий Лужков; Лужков
    | Iouri Loujkov; Loujkov |
P Alisher Usmanov; Usmanov | عليشير عثمانوف; عثمانوف | Алишер Усманов; Усманов | Alicher Ousmanov |
P Alexander Lukashenko; Lukashenko | ألكسندر لوكاشينكو; لوكاشينكو
    | Александр Лукашенко; Лукашенко | Alexandre Loukachenko; Loukachenko |
P Igor Sechin; Sechin | إيغور سيتشين; سيتشين | Игорь Сечин; Сечин | Igor Setchine |
P Viktor Yanukovych; Yanukovych | فيكتور يانوكوفيتش; يانوكوفيتش | Виктор Янукович; Янукович
    | Viktor Ianoukovitch; Ianoukovitch |
P Naoto Kan | ناوتو كان | Наото Кан | |
P Hillary Clinton; Clinton | هيلاري كلينتون; كلينتون | Хиллари Клинтон; Клинтон | |
P Alexei Navalny; Navalny | أليكسي نافالني; نافالني | Алексей Навальный; Навальный
    | Alexeï Navalny |
P Dmitry Peskov; Peskov | دميتري بيسكوف; بيسكوف | Дмитрий Песков; Песков | Dmitri Peskov |
P Donald Trump; Trump | دونالد ترامب; ترامب | Дональд Трамп; Трамп | |
P Heiko Maas | هايكو ماس | Хайко Маас; Маас | |
P Richard Grenell; Grenell | ريتشارد غرينيل; غرينيل | Ричард Гренелл; Гренелл | |
P Wolfgang Büchele; Buchele | فولفغانغ بوشيله | Вольфганг Бюхеле; Бюхеле | |
P Gerhard Schröder; Schroeder; Schröder | غيرهارد شرودر; شرودر | Герхард Шрёдер; Шрёдер |
    | PER-Gerhard-Fritz-Kurt-Schröder
P Pavlo Klimkin; Klimkin | بافلو كليمكين; كليمكين | Павел Климкин; Павло Климкин; Климкин | |
P Jacek Czaputowicz; Czaputowicz | ياتسيك تشابوتوفيتش | Яцек Чапутович; Чапутович | |
P Maria Zakharova; Zakharova | ماريا زاخاروفا; زاخاروفا | Мария Захарова; Захарова |
    | PER-Maria-Zaharova
P Christopher Columbus; Columbus | كريستوفر كولومبوس; كولومبوس | Христофор Колумб; Колумб
    | Christophe Colomb; Colomb |
P Steven Seagal; Seagal | ستيفن سيغال | Стивен Сигал | |
P Alfred Hitchcock; Hitchcock | ألفريد هيتشكوك; هيتشكوك | Альфред Хичкок; Хичкок | |
"""
# fmt: on


def _entries(table: str) -> list[str]:
    """Table lines; an indented line continues the one before (long entries are wrapped)."""
    entries: list[str] = []
    for line in table.strip().splitlines():
        if line.startswith(" ") and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line)
    return entries


def _parse(table: str) -> tuple[WatchEntity, ...]:
    entities = []
    for line in _entries(table):
        kind, rest = line.split(" ", 1)
        cols = [c.strip() for c in rest.split("|")]
        names = {
            lang: tuple(n.strip() for n in col.split(";") if n.strip())
            for lang, col in zip(LANGUAGES, cols[:4], strict=True)
        }
        gold = tuple(g.strip() for g in cols[4].split(";") if g.strip()) if len(cols) > 4 else ()
        kind_name = "person" if kind == "P" else "place"
        entities.append(WatchEntity(slug(names["en"][0]), kind_name, names, gold))
    return tuple(entities)


WATCHLIST: tuple[WatchEntity, ...] = _parse(_TABLE)


def by_id() -> dict[str, WatchEntity]:
    return {e.id: e for e in WATCHLIST}


def link_index(entities: Iterable[WatchEntity] = WATCHLIST) -> dict[str, str]:
    """Normalised gold key -> entity id. A key claimed by two entities links to neither (an
    ambiguous key would make the gold depend on table order)."""
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for key in entity.link_keys():
            owners.setdefault(key, set()).add(entity.id)
    return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}
