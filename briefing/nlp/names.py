"""Names in news text: what an entity is called, whether it is a title, an
acronym, a credit or a channel, and what role the text gives it.

Pure functions over spaCy spans; actors.py builds actors from them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from briefing.nlp.dates import MONTHS, WEEKDAYS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ENTITY_TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "NORP": "group", "FAC": "organisation"}
# Well-known metonyms the tagger misses: the building speaks for the office.
METONYMS = {"no 10": "Downing Street", "number 10": "Downing Street", "no. 10": "Downing Street"}
TITLES = {
    "mr": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "sir": "m",
    "lord": "m",
    "lady": "f",
    "dame": "f",
    "dr": None,
    "prof": None,
    "professor": None,
    "rev": None,
    "mx": None,
    "justice": None,  # "Mr Justice Pemberton-Hale", "Justice Halima Bello-Ogundipe"
}
# Time zones head live-blog entries ("10.42 GMT — ..."): times, never actors.
_TIME_ZONES = {
    "gmt", "bst", "utc", "cet", "cest", "est", "edt", "cst", "cdt", "pst", "pdt", "aest", "aedt", "awst",
    "nzst", "nzdt", "ist", "sast", "eat", "wat", "cat", "msk", "jst", "hkt", "sgt", "eet", "eest", "kst", "pht",
}  # fmt: skip
# ... and spelt out: "Eastern European Time", "Pacific Standard Time", "Greenwich Mean Time".
_ZONE_NAME = re.compile(
    r"(?:\w+ )?(?:european|standard|daylight|summer|mean|eastern|central|western|pacific|mountain|atlantic) time"
)
_CALENDAR = {*WEEKDAYS, *MONTHS, *_TIME_ZONES, "christmas", "easter", "today", "tomorrow", "yesterday"}
# Social platforms are channels people speak through, not actors in the story.
PLATFORMS = {
    "twitter",
    "x",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "telegram",
    "linkedin",
    "whatsapp",
    "threads",
    "bluesky",
    "truth social",
}
# Words that mark a news outlet or programme: cited as a source or channel, not an actor.
_MEDIA_WORDS = set(
    [
        "news",
        "times",
        "gazette",
        "herald",
        "post",
        "radio",
        "tv",
        "television",
        "telegraph",
        "guardian",
        "journal",
        "press",
        "reuters",
        "bbc",
        "itv",
        "sky",
        "cnn",
        "afp",
        "bloomberg",
        "programme",
        "agency",
        "associated",
        "observer",
        "mirror",
        "express",
        "independent",
        "today",
        "wire",
        "newspaper",
        "magazine",
        "chronicle",
        "tribune",
        "courier",
        "echo",
        "pa",
        "ap",
        "dpa",
        "ansa",
        "xinhua",
        "tass",
    ]
)
LOCATIVE = {
    "in",
    "at",
    "near",
    "from",
    "across",
    "outside",
    "inside",
    "around",
    "into",
    "through",
    "off",
    "along",
    "towards",
    "toward",
    "between",
    "within",
    "via",
    "throughout",
    "beyond",
    "on",
    "to",
    "of",
}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "agent", "csubj"}
FUNCTION_WORDS = {"of", "for", "the", "and", "&", "on", "in", "to", "at"}
MALE_PRONOUNS = {"he", "him", "his", "himself"}
FEMALE_PRONOUNS = {"she", "her", "hers", "herself"}
THING_PRONOUNS = {"it", "its", "itself", "they", "them", "their"}
# A descriptor's head noun -> words that name the same kind of actor in a role or name.
DESCRIPTOR_SYNONYMS = {
    "minister": ("minister", "secretary", "chancellor", "premier"),
    "secretary": ("secretary", "minister"),
    "firm": ("company", "firm", "ltd", "plc", "inc", "group"),
    "company": ("company", "firm", "ltd", "plc", "inc", "group"),
    "regulator": ("authority", "commission", "regulator", "office", "agency"),
    "watchdog": ("authority", "commission", "regulator", "office", "agency"),
    "bank": ("bank",),
    "government": ("government", "department", "ministry", "treasury", "downing street", "no 10"),
    "council": ("council",),
    "union": ("union", "workers"),
    "association": ("association", "federation", "alliance", "council", "chamber"),
    "confederation": ("confederation", "federation", "union", "association"),
    "judge": ("judge", "justice"),
    "trust": ("trust",),
    "president": ("president",),
    "leader": ("leader",),
    "spokesperson": ("spokesperson", "spokesman", "spokeswoman"),
}
# Descriptors of a business, which names rarely spell out ("Coral & Pearce Terminals" is
# "the company"): when no name fits, the most recent acting organisation that is not a public
# or civic body ("union", "council", "ministry" ...) is meant. A company's board is the company.
BUSINESS_DESCRIPTORS = {"company", "firm", "group", "business", "operator", "developer", "bidder", "board", "buyer"}
CIVIC_NAME_WORDS = {
    "union", "council", "party", "ministry", "department", "government", "court", "authority", "commission",
    "association", "federation", "police", "committee", "agency", "office", "parliament", "assembly",
    "alliance", "campaign", "trust", "university", "hospital", "confederation", "institute",
    "workers", "employees",  # unions named after their members: "United Transport Workers"
}  # fmt: skip
ORG_DESCRIPTORS = {
    "union",
    "company",
    "firm",
    "regulator",
    "watchdog",
    "bank",
    "government",
    "council",
    "trust",
    "authority",
    "board",
    "party",
    "department",
    "ministry",
    "commission",
    "group",
    "body",
    "tribunal",
    "court",
    "club",
    "charity",
    "agency",
    "committee",
    "campaigners",
    "campaign",
    "association",
    "corporation",
    "confederation",
    "federation",
    "operator",
    "presidency",
}
# Nouns that make a role or title, never a given name ("Secretary" in "Education Secretary Helen Marsh").
ROLE_WORDS = set(
    [
        "secretary",
        "minister",
        "president",
        "leader",
        "chancellor",
        "premier",
        "general",
        "chief",
        "mayor",
        "governor",
        "councillor",
        "judge",
        "director",
        "chair",
        "chairman",
        "chairwoman",
        "chairperson",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "officer",
        "commissioner",
        "executive",
        "head",
        "prime",
        "deputy",
        "shadow",
        "senator",
        "senior",
        "inspector",
        "superintendent",
        "sergeant",
        "captain",
        "king",
        "queen",
        "prince",
        "princess",
        "ambassador",
        "envoy",
        "governor-general",
        "manager",
        "founder",
        "organiser",
        "organizer",
        "correspondent",
        "editor",
        "professor",
        "councillor",
        "cllr",
        "mp",
        "mep",
        "msp",
    ]
)
# Words that make a name an organisation's, whatever the tagger said ("Castlebridge Transit").
ORG_NAME_WORDS = set(
    [
        "transit",
        "council",
        "union",
        "bank",
        "ltd",
        "plc",
        "inc",
        "group",
        "authority",
        "trust",
        "company",
        "corporation",
        "party",
        "federation",
        "association",
        "ministry",
        "department",
        "commission",
        "agency",
        "board",
        "institute",
        "university",
        "college",
        "hospital",
        "services",
        "transport",
        "technologies",
        "police",
        "court",
        "tribunal",
        "committee",
        "club",
        "society",
        "foundation",
        "fund",
        "office",
        "airways",
        "railways",
        "network",
        "partners",
        "holdings",
        "industries",
        "capital",  # "Calder Bridge Capital", "Coral Bay Capital Partners": investors, not people
    ]
)
# A company's legal form, which its short name leaves off ("Nordhav Seafood ASA" is "Nordhav Seafood").
LEGAL_FORMS = {
    "ltd",
    "plc",
    "inc",
    "llc",
    "corp",
    "sa",
    "asa",
    "ag",
    "gmbh",
    "nv",
    "bv",
    "spa",
    "ab",
    "oyj",
    "kk",
    "pty",
}
ORG_NAME_WORDS |= LEGAL_FORMS
# Heads that name an institution or office without a proper name ("the interior ministry",
# "the presidency", "the federal government"): an actor when it acts, even unnamed.
INSTITUTION_HEADS = ORG_DESCRIPTORS | {
    "presidency", "police", "ministry", "government", "cabinet", "parliament", "administration", "court",
    "senate", "prosecutor", "panel", "delegation",  # not "congress": in lower case a party's congress is an event
    "regulator", "assembly", "office",
}  # fmt: skip
# Nouns that carry information rather than hold views ("figures show", "the report says"):
# the channel, never the speaker.
INFORMATION_NOUNS = {
    "figure", "data", "result", "report", "document", "statement", "record", "study", "poll", "estimate",
    "number", "paper", "minute", "rule", "law", "letter", "filing", "analysis", "source", "memorandum",
    "text", "draft", "deal", "agreement", "plan", "proposal", "talk", "price", "market", "share", "sale", "cost",
}  # fmt: skip
QUANTIFIERS = {"several", "many", "some", "most", "few", "other", "both", "all", "two", "three", "four"}
# What an actor issues or puts forward: the noun carries their stance ("raised objections",
# "made an offer"), and its possessor acts ("the government's offer", "Johnson's letter").
STANCE_NOUNS = frozenset({
    "objection", "concern", "welcome", "offer", "bid", "appeal", "challenge", "warning", "demand",
    "proposal", "call",
})  # fmt: skip
ISSUED_NOUNS = STANCE_NOUNS | {"letter", "statement", "decision", "plan", "announcement", "ruling", "position"}
SPOKES = {"spokesperson", "spokesman", "spokeswoman", "source", "official", "officials", "representative"}


@cache
def country_names() -> frozenset[str]:
    """Countries and territories by their English names, from the Unicode CLDR data Babel ships
    ("Paraguay", "Japan", "Bosnia & Herzegovina"): a place the tagger may have missed."""
    from babel import Locale  # (imported here: only the NLP stage needs it)

    return frozenset(name for code, name in Locale("en").territories.items() if code.isalpha())


def doc_text(doc: Doc) -> str:
    """The document's text, built once: spaCy's Doc.text joins every token on each call."""
    if "briefing.text" not in doc.user_data:
        doc.user_data["briefing.text"] = doc.text
    return doc.user_data["briefing.text"]


def clean_name(span: Span) -> tuple[str, str | None]:
    """Entity text without a leading article, title or trailing possessive;
    and the gender its title implies."""
    tokens = list(after_prefix(span))
    gender = None
    while tokens and tokens[0].lower_ in ("the", "a", "an"):
        tokens = tokens[1:]
    while tokens and tokens[-1].lower_ in ("'s", "’s", "'", "’"):
        tokens = tokens[:-1]
    if tokens and tokens[0].lower_.rstrip(".") in TITLES and len(tokens) > 1:
        gender = TITLES[tokens[0].lower_.rstrip(".")]
        tokens = tokens[1:]
    while span.label_ == "PERSON" and len(tokens) > 2 and tokens[0].lower_ in ROLE_WORDS:
        tokens = tokens[1:]  # "Councillor Rob Tennant" is Rob Tennant
    if not tokens:
        return "", gender
    text = span.doc[tokens[0].i : tokens[-1].i + 1].text
    text = text.split("(")[0]  # "Department for Education (DfE": the acronym is an alias
    return " ".join(text.split()).strip(" ,;:-"), gender


# What can precede a name inside one tagged span without being part of it: a live blog's
# time stamp and dash ("08.02 GMT - The Reform Union"), a dateline ("JOHANNESBURG (AFP) -"),
# a bullet.
# (A hyphen counts only standing free: "Pemberton-Hale" is one name.)
_PREFIX_MARKS = {"—", "–", "•", "|"}


def after_prefix(span: Span) -> Span:
    doc = span.doc
    marks = [
        t.i + 1
        for t in span
        if t.text in _PREFIX_MARKS
        or (t.text == "-" and t.whitespace_ and t.i > 0 and doc[t.i - 1].whitespace_)
        or (t.text == ":" and t.i > 0 and _CAPTION_OPENING.match(doc[span.start : t.i + 1].text))  # "Photo: X"
    ]
    cut = max(marks, default=span.start)
    return doc[cut : span.end] if cut < span.end else span


def extend_organisation(span: Span) -> Span:
    """An organisation's whole name when the tagger split it at "and" ("Canadian Association
    of Graduate" + "and Postdoctoral Researchers", "Antigua and" + "Barbuda Port Workers'
    Union") or left out a place word in front ("Aldermoor" + "Borough Council")."""
    doc = span.doc
    start, end = span.start, span.end
    while end - start > 1 and doc[end - 1].lower_ in ("and", "&", "of"):
        end -= 1  # the tagger stopped in the middle: "Canadian Association of Graduate and"
    # Rightwards: "... of Graduate and Postdoctoral Researchers", "Dock Workers' and Allied Trades Union".
    at = end + (1 if end < len(doc) and doc[end].text in ("'", "’") else 0)
    if at + 1 < len(doc) and doc[at].lower_ in ("and", "&") and doc[end - 1].lower_ not in ORG_NAME_WORDS:
        run = at + 1
        while run < len(doc) and (doc[run].is_title or doc[run].is_upper or doc[run].lower_ in ("of", "for", "and")):
            run += 1
        while run > at + 1 and doc[run - 1].lower_ in ("of", "for", "and"):
            run -= 1
        # Only inside a longer name: "Canadian Association of Graduate | and Postdoctoral Researchers"
        # or a name that ends in a head word; "the EU | and China" are two.
        # ("&" joins the words of one name: "Kelso & Firth".)
        inside_a_name = (
            doc[at].text == "&"
            or any(t.lower_ in NAME_HEADS for t in doc[start:end])
            or doc[run - 1].lower_ in NAME_HEADS
        )
        if run > at + 1 and doc[at + 1].lower_ not in ORG_NAME_WORDS and inside_a_name:
            end = run
    # A branch number: "Retail and Food Workers' Union Local 640".
    if end < len(doc) and doc[end].like_num and doc[end].is_digit and doc[end - 1].is_title:
        end += 1
    # Leftwards: "Antigua and | Barbuda Port Workers' Union", "Victorian Retailers' and | Newsagents' Association".
    if (
        start >= 2
        and doc[start - 1].lower_ in ("and", "&")
        and doc[start].lower_ not in ORG_NAME_WORDS
        and (doc[start - 1].text == "&" or doc[end - 1].lower_.strip("'’") in NAME_HEADS)  # "Tema and | Kasoa": two
        and doc[start - 2].ent_type_ != "PERSON"  # "Simon Vercoe and | Grace Liufau": two people
    ):
        run = start - 1
        while run - 1 >= 0 and (
            (doc[run - 1].is_title and doc[run - 1].pos_ == "PROPN")
            or (doc[run - 1].text in ("'", "’") and run - 2 >= 0 and doc[run - 2].is_title)
        ):
            run -= 1
        if run < start - 1:
            start = run
    # A place word the tagger left out in front: "Aldermoor | Borough Council".
    while (
        start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title and doc[start].lower_ in ORG_NAME_WORDS
    ):
        start -= 1
    return doc[start:end]


# People quoted for their view from outside the story (an analyst, a consultant, a
# glaciologist): their employer is not a party to it, and their forecasts are not steps.
COMMENTATORS = {
    "analyst", "economist", "lecturer", "professor", "researcher", "consultant", "expert", "strategist",
    "fellow", "academic", "scholar", "commentator", "observer", "historian", "scientist",
}  # fmt: skip


def is_commentator(noun: Token) -> bool:
    lemma = noun.lemma_.casefold()
    return lemma in COMMENTATORS or lemma.endswith(("ologist", "icist"))


_NAME_JOINERS = {"of", "for", "and", "&", "'", "’", "'s", "’s"}


# Head words that end an organisation's proper name ("... Rice Farmers' Alliance",
# "... Chamber of Iron and Steel Producers", "Australian Border Force").
NAME_HEADS = ORG_NAME_WORDS | INSTITUTION_HEADS | {
    "alliance", "chamber", "centre", "center", "coalition", "movement", "league", "forum", "organisation",
    "organization", "service", "inspectorate", "secretariat", "force", "front", "institution", "observatory",
    "congress", "left",  # "the Democratic Left", "the Green Left": parties
}  # fmt: skip
_POSSESSIVE_MARKS = {"'", "’", "'s", "’s"}
_NOT_NAME_ENTITIES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}


def organisation_names(doc: Doc) -> list[Span]:
    """Capitalised names ending in an institution's head word, whole, whatever the tagger
    made of them: untagged ("Maungaroa District Council"), tagged in pieces ("the Pātiki Beach
    Residents'" + "Ratepayers' Association"), cut short ("Council" of "... Traders' Council of
    WA") or mislabelled (a union tagged as a work of art). At least two capitalised words, and
    not the start of a sentence alone ("Council officers said")."""
    found = []
    for token in doc:
        if not (token.is_title and token.lower_ in NAME_HEADS):
            continue
        after = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if after is not None and after.is_title and after.pos_ in ("PROPN", "NOUN") and not after.is_sent_start:
            continue  # "Local Government Minister": part of a title or of a longer name
        start = token.i
        while start > 0 and _name_word_before(doc, start) and (not doc[start].is_sent_start or _cut_off(doc, start)):
            start -= 1
        while start < token.i and (doc[start].lower_ in _NAME_JOINERS or doc[start].lower_ == "the"):
            start += 1
        end = _name_tail(doc, token.i + 1)
        capitalised = sum(1 for t in doc[start:end] if t.is_title or t.is_upper)
        # At a sentence's start a capital proves nothing: "Council officers said" is no name.
        if capitalised >= (3 if doc[start].is_sent_start else 2):
            found.append(doc[start:end])
    # One name may be reached from two head words ("Ministry of Housing, … Local Government"):
    # once each, and not again inside a longer one.
    unique = list({(span.start, span.end): span for span in found}.values())
    return [s for s in unique if not any(o.start <= s.start and s.end <= o.end and len(o) > len(s) for o in unique)]


def _name_word_before(doc: Doc, at: int) -> bool:
    """Does the token before `at` continue a name leftwards?"""
    previous = doc[at - 1]
    if previous.ent_type_ in _NOT_NAME_ENTITIES:
        return False
    if previous.is_title or (previous.is_upper and len(previous) > 1):
        return True
    before = doc[at - 2] if at >= 2 else None
    if previous.text in _POSSESSIVE_MARKS:  # "Farmers' Alliance", "Qatar's Foreign Ministry"
        return before is not None and before.is_title
    if previous.lower_ in _NAME_JOINERS and before is not None:  # "Residents' and Ratepayers'"
        return before.is_title or (before.text in _POSSESSIVE_MARKS and at >= 3 and doc[at - 3].is_title)
    if previous.text == "," and before is not None and before.is_title:  # "Parenga Bay, Kōwhai Point and …"
        return _list_ends_in_name(doc, at - 1)
    return False


def _cut_off(doc: Doc, at: int) -> bool:
    """The parser may end a sentence after a name's first word ("Aldermoor | Borough Council has")."""
    previous = doc[at - 1]
    return previous.is_sent_start and previous.is_title and previous.pos_ == "PROPN"


def _name_tail(doc: Doc, at: int) -> int:
    """Where a name ends after its head word: "... Council of WA", "Court of Appeal",
    "Chamber of Sugar Mills, Cane Growers and Organic Exporters of Paraguay"."""
    following = doc[at + 1] if at + 1 < len(doc) else None
    if not (following is not None and doc[at].lower_ == "of" and _capitalised(following)):
        return at
    end = at + 1
    while end < len(doc) and end - at <= 12 and doc[end].ent_type_ not in _NOT_NAME_ENTITIES:
        token = doc[end]
        nxt = doc[end + 1] if end + 1 < len(doc) else None
        if (
            _capitalised(token)
            and token.pos_ in ("PROPN", "NOUN")
            or token.lower_ in ("and", "&", "of", "for")
            and nxt is not None
            and _capitalised(nxt)
            or token.text == ","
            and nxt is not None
            and _capitalised(nxt)
            and _list_ends_in_name(doc, end)
        ):
            end += 1
        else:
            break
    while end > at + 1 and not _capitalised(doc[end - 1]):
        end -= 1
    return end


def _capitalised(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token) > 1)


def _list_ends_in_name(doc: Doc, comma: int) -> bool:
    """A comma inside a name is a list's ("Ferry, Terminal and Galley Workers' Union"): an "and"
    follows within a few capitalised words, before anything else."""
    for token in doc[comma + 1 : comma + 6]:
        if token.lower_ in ("and", "&"):
            return True
        if not (_capitalised(token) or token.text in _POSSESSIVE_MARKS):
            return False
    return False


def owned_forms(span: Span, name: str) -> set[str]:
    """Other spellings the text gives an organisation's name: with the place that owns it
    ("Ontario's Court of Appeal") or without it ("Court of Appeal"), and without a trailing
    location ("Sarvodaya Pharmaceuticals" of "Sarvodaya Pharmaceuticals of Hyderabad")."""
    doc = span.doc
    forms = set()
    if span.start >= 2 and doc[span.start - 1].tag_ == "POS" and doc[span.start - 2].is_title:
        forms.add(f"{doc[span.start - 2].text}{doc[span.start - 1].text} {name}")  # "the Governor's Secretariat"
    owner, _, rest = name.partition("’s ") if "’s " in name else name.partition("'s ")
    if rest and " " not in owner:
        forms.add(rest)
    head, sep, place = name.rpartition(" of ")
    # "Sarvodaya Pharmaceuticals of Hyderabad"; never "Bank" of "Bank of England".
    if sep and len(head.split()) >= 2 and len(place.split()) == 1 and head.split()[-1].casefold() not in ORG_NAME_WORDS:
        forms.add(head)
    return forms


def title_before(span: Span) -> str | None:
    """The honorific just before an entity ("Mr" in "Mr Johnson"), if spaCy left it out."""
    if span.start == 0:
        return None
    previous = span.doc[span.start - 1].lower_.rstrip(".")
    return previous if previous in TITLES else None


def is_acronym(text: str) -> bool:
    return 2 <= len(text) <= 8 and text[0].isupper() and sum(c.isupper() for c in text) >= 2 and " " not in text


def acronym_matches(acronym: str, name: str) -> bool:
    """'NEU' ~ 'National Education Union'; 'DfE' ~ 'Department for Education'."""
    words = [w for w in re.split(r"[\s\-]+", name.replace("’", "'")) if w]
    letters = acronym.replace(".", "").casefold()
    every = "".join(w[0] for w in words).casefold()
    significant = "".join(w[0] for w in words if w.casefold() not in FUNCTION_WORDS).casefold()
    return len(letters) >= 2 and letters in (every, significant)


def looks_like_media(name: str) -> bool:
    words = set(re.findall(r"[a-z0-9]+", name.casefold()))
    return name.casefold() in PLATFORMS or bool(words & _MEDIA_WORDS)


def is_calendar_word(name: str) -> bool:
    folded = name.casefold()
    return folded.rstrip("s") in _CALENDAR or folded in _CALENDAR or bool(_ZONE_NAME.fullmatch(folded))


def in_photo_credit(span: Span) -> bool:
    """'(Stefan Rousseau/PA)': names inside brackets with a slash are credits."""
    text = doc_text(span.doc)
    open_at = text.rfind("(", max(0, span.start_char - 60), span.start_char)
    if open_at < 0 or ")" in text[open_at : span.start_char]:
        return False
    close_at = text.find(")", span.end_char, span.end_char + 60)
    return close_at >= 0 and "/" in text[open_at:close_at]


# A photo caption: a paragraph that opens with "Photo:" or "[Photo caption:", or that closes
# with the picture's credit ("… on Thursday. Photograph: Emre Aksoy/The Sentinel", "(Photo: X)").
_CAPTION_OPENING = re.compile(r"^\[?\s*(?:photo(?:graph)?s?|pictures?|images?)\b(?:\s+caption)?\s*[:/]", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(
    r"(?:^|[.!?)\]]\s+|\(\s*)(?:photo(?:graph)?s?|pictures?|images?)\s*(?::|/|by\b)[^\n.!?]{1,80}\)?\]?\s*$",
    re.IGNORECASE,
)


def in_caption(span: Span) -> bool:
    """Inside a photo caption: it describes a picture, so it holds no one's position and no next step
    ("Delegates leave a late-night session … on Thursday. Photograph: …")."""
    text = doc_text(span.doc)
    at = span.start_char + len(span.text) - len(span.text.lstrip())  # the paragraph its first word is in
    start, end = _paragraph_bounds(text, at, at)
    paragraph = text[start:end].strip()
    return bool(_CAPTION_OPENING.match(paragraph) or _CAPTION_CREDIT.search(paragraph))


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the paragraph (blank-line separated) holding text[start:end] begins and ends."""
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    return (0 if before < 0 else before + 2), (len(text) if after < 0 else after)


# The outlet's own people, named in the copy: "Our correspondent Mila Georgieva is in the chamber".
NEWSROOM_ROLES = {"correspondent", "reporter", "photographer", "photojournalist", "videographer", "stringer"}


def newsroom_staff(span: Span) -> bool:
    """A name introduced by a newsroom role ("our environment correspondent Hannah Leclerc",
    "photographer Stoyan Petrov") or given one in apposition ("X, our reporter in Sofia"):
    the writer's colleague, never an actor of the story."""
    for token in reversed(span.doc[max(0, span.start - 3) : span.start]):
        if token.lower_ in NEWSROOM_ROLES or token.lemma_.casefold() in NEWSROOM_ROLES:
            return True  # (whatever the tagger made of it: "photographer" can come out a verb)
        if not (token.is_lower and token.pos_ in ("NOUN", "ADJ")):
            break  # "environment correspondent": only a modifier may stand between
    return any(c.dep_ == "appos" and c.lemma_.casefold() in NEWSROOM_ROLES for c in span.root.children)


def in_byline(sentence: Span) -> bool:
    """Bylines and datelines: a short sentence without a verb ("By Jo Smith, PA")."""
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in sentence)
    return not has_verb and len(sentence) <= 8


# Newsroom credits: who wrote, edited or photographed the piece, never who is in it.
# "By Jo Smith", "Photograph: Jo Smith/Agency", "(Reporting by ...; Editing by ...)",
# "Edited by ... with reporting from ...", "Live coverage by ...", "Updates by ...".
_CREDIT = re.compile(
    r"^\(?\s*(?:(?:photo(?:graph)?s?|pictures?|images?|illustration|video)\s*(?::|by\b)"
    r"|(?:additional\s+)?(?:reporting|editing|writing|compiled|edited|updates|live\s+coverage|produced)"
    r"\s+(?:by|from)\b|by\s+[A-Z])",
    re.IGNORECASE,
)
# A wire dateline opens the first paragraph: "DOHA, Sept 8 (Reuters) -", "AMMAN —", "BOGOTÁ —",
# "Beirut (AFP) -": the place in capitals, or any place with an agency's tag.
_DATELINE = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’ -]{2,}?(?:,[^\n()—–]{1,40}?)?(?:\s*\([A-Za-z ]{2,20}\))?"
    r"|[A-Z][\w.'’ -]{1,30}?(?:,[^\n()—–]{1,40}?)?\s*\((?:Reuters|AP|AFP|AAP|PA|Bloomberg|dpa|UPI|CP|ANI|Xinhua)\))"
    r"\s*[—–-]\s"
)
_BYLINE_WORDS = 15


def strip_dateline(text: str) -> str:
    """The sentence without a wire dateline in front of it."""
    match = _DATELINE.match(text)
    return text[match.end() :] if match else text


def in_credit(span: Span) -> bool:
    """Inside a byline, a credit line, a dateline, or the short verbless paragraph that
    opens many articles with the writer's name and beat ("Jo Smith, Courts Reporter")."""
    text = doc_text(span.doc)
    start, end = _paragraph_bounds(text, span.start_char, span.end_char)
    paragraph = text[start:end]
    sentence_start = max(start, *(text.rfind(mark, start, span.start_char) + 2 for mark in (". ", "; ", "\n")))
    if _CREDIT.match(paragraph.lstrip()) or _CREDIT.match(text[sentence_start : span.end_char].lstrip()):
        return True
    dateline = _DATELINE.match(paragraph) if start == _first_paragraph(text) or paragraph[:1].isupper() else None
    if dateline and span.start_char < start + dateline.end():
        return True
    if start == _first_paragraph(text) and len(paragraph.split()) <= _BYLINE_WORDS:
        verbs = [t for t in span.doc.char_span(start, start + len(paragraph), alignment_mode="expand") or []
                 if t.pos_ in ("VERB", "AUX") and t.tag_ not in ("VBN", "VBG")]  # fmt: skip
        return not verbs
    return False


def in_dateline_or_credit(token: Token) -> bool:
    """'DOHA' in "DOHA, Sept 8 (Reuters) - Chad and Sudan agreed": the parser may take the
    dateline for a second subject; it never is one."""
    return in_credit(token.doc[token.i : token.i + 1])


def subjects_of(verb: Token, deps: tuple[str, ...] = ("nsubj", "nsubjpass", "csubj")) -> list[Token]:
    """The verb's subjects, leaving out a wire dateline the parser took for one; where it hung
    the real subject on the dateline ("NAIROBI ... - Kenya and Tanzania agreed"), that subject."""
    subjects = []
    for child in verb.children:
        if child.dep_ not in deps:
            continue
        if _entry_time(child):
            continue  # "18.15 — Mariela Sandoval … calls the draft": a live blog's clock, not who
        if not in_dateline_or_credit(child):
            subjects.append(child)
            continue
        subjects += [c for c in child.subtree if c.dep_ == "appos" and not in_dateline_or_credit(c)][:1]
    return subjects


def _entry_time(token: Token) -> bool:
    """The time that opens a live blog's entry ("18.15 —", "10:42 GMT —")."""
    after = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    clock = bool(re.fullmatch(r"\d{1,2}[.:]\d{2}", token.text)) or token.ent_type_ == "TIME"
    return clock and after is not None and after.text in ("—", "–", "-")


def _first_paragraph(text: str) -> int:
    return len(text) - len(text.lstrip())


def title_in_name(span: Span) -> str | None:
    first = span[0]
    return first.text if span.label_ == "PERSON" and len(span) > 2 and first.lower_ in ROLE_WORDS else None


def adjectival_group(span: Span) -> bool:
    """'French' in 'French beaches' describes; only 'the French' as a subject acts."""
    return span.label_ == "NORP" and not (span.root.dep_ in SUBJECT_DEPS and span.root.pos_ != "ADJ")


def inside_person_title(span: Span) -> bool:
    """'Education' in 'Education Secretary Helen Marsh' is part of a title, not an actor."""
    if span.label_ == "PERSON":
        return False
    head = span.root
    for _ in range(3):
        if head.dep_ not in ("compound", "amod", "nmod") or head.head is head:
            return False
        head = head.head
        # A capitalised role word makes a title ("Education Secretary"); "a DfE spokesperson" is the DfE's.
        if head.ent_type_ == "PERSON" or (head.lower_ in ROLE_WORDS and head.text[:1].isupper()):
            return True
    return False


def extend_person(span: Span) -> Span:
    """'Nair' when spaCy left 'Priya' out: take capitalised name words just before it."""
    doc = span.doc
    if len(span) != 1 or span.start == 0:
        return span
    before = doc[span.start - 1]
    if (
        before.pos_ == "PROPN"
        and before.is_title
        and not before.ent_type_
        and not is_calendar_word(before.text)
        and before.lower_.rstrip(".") not in TITLES
        and before.lower_ not in ROLE_WORDS
    ):
        return doc[span.start - 1 : span.end]
    return span


def role_of(span: Span) -> str | None:
    """A role the text gives the entity: a title in front ("Home Secretary Priti
    Patel") or an apposition ("Mark Lee, general secretary of the NTU,")."""
    doc = span.doc
    root = span.root
    # Title words in front, inside the same noun phrase: compounds and modifiers of the name.
    front = [t for t in root.lefts if t.i < span.start and t.dep_ in ("compound", "amod", "nmod", "npadvmod")]
    if front:
        start = min(t.left_edge.i for t in front)
        while start < span.start and doc[start].dep_ in ("det", "poss", "case") or doc[start].lower_ in ("the", "a"):
            start += 1
        words = doc[start : span.start]
        if (
            words
            and any(t.pos_ in ("NOUN", "PROPN") for t in words)
            and not any(t.ent_type_ == "PERSON" for t in words)
        ):
            text = words.text.strip(" ,")
            if text.casefold().rstrip(".") not in TITLES:
                return text
    # Apposition: "X, role," (the role hangs off the name) or "the role, X" (the name hangs off the role).
    for child in root.children:
        if (
            child.dep_ == "appos"
            and child.i > span.end - 1
            and not child.ent_type_
            and child.left_edge.text != "("
            and doc[child.left_edge.i - 1].text != "("
        ):
            return _phrase(doc, child)
    if root.dep_ == "appos" and root.head.i < span.start and root.head.ent_type_ == "":
        # "the union's deputy general secretary, Priya Nair": the words before the name
        words = doc[root.head.left_edge.i : span.start]
        text = words.text.strip(" ,")
        return text if text and len(text.split()) <= 12 and "“" not in text and "\n" not in text else None
    return None


def tidy_role(text: str | None) -> str | None:
    """'Its director, Dr' -> 'director': no possessive pronoun in front, no stray title behind."""
    if not text:
        return None
    words = text.strip(" ,").split()
    if words and words[0].lower() in ("its", "their", "his", "her", "our"):
        words = words[1:]
    while words and words[-1].lower().rstrip(".,") in TITLES:
        words = words[:-1]
    return " ".join(words).strip(" ,") or None


def _phrase(doc: Doc, head: Token) -> str | None:
    tokens = [t for t in head.subtree if not (t.dep_ == "appos" and t.ent_type_ == "PERSON")]
    start, end = tokens[0].i, tokens[-1].i + 1
    # Stop at a comma that closes the apposition, or a clause that follows it.
    for t in doc[start:end]:
        if t.i > head.i and (t.text in (",", ";", ":", "“", '"') or t.dep_ in ("relcl", "acl")):
            end = t.i
            break
    text = doc[start:end].text.strip(" ,")
    if text.count("(") > text.count(")"):
        text = (
            text + ")"
            if doc_text(doc)[doc[end - 1].idx + len(doc[end - 1].text) :].startswith(")")
            else text.split("(")[0]
        )
    text = text.strip(" ,")
    if not text or len(text.split()) > 12 or any(ch in text for ch in '“”"'):
        return None
    return text
