"""Key actors: spaCy entities merged into actors, with roles, and a resolver
that maps any mention (a name, "Mr Johnson", "NEU", "he", "the minister") back
to one actor.

The rules are general news-English rules; nothing here knows the samples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing.nlp.names import (
    BUSINESS_DESCRIPTORS,
    CIVIC_NAME_WORDS,
    DESCRIPTOR_SYNONYMS,
    ENTITY_TYPES,
    FEMALE_PRONOUNS,
    FUNCTION_WORDS,
    INFORMATION_NOUNS,
    INSTITUTION_HEADS,
    ISSUED_NOUNS,
    LEGAL_FORMS,
    LOCATIVE,
    MALE_PRONOUNS,
    METONYMS,
    NAME_HEADS,
    ORG_DESCRIPTORS,
    ORG_NAME_WORDS,
    PLATFORMS,
    QUANTIFIERS,
    ROLE_WORDS,
    SPOKES,
    SUBJECT_DEPS,
    THING_PRONOUNS,
    TITLES,
    acronym_matches,
    adjectival_group,
    after_prefix,
    clean_name,
    country_names,
    doc_text,
    extend_organisation,
    extend_person,
    in_byline,
    in_caption,
    in_credit,
    in_photo_credit,
    inside_person_title,
    is_acronym,
    is_calendar_word,
    is_commentator,
    looks_like_media,
    newsroom_staff,
    organisation_names,
    owned_forms,
    role_of,
    tidy_role,
    title_before,
    title_in_name,
)
from briefing.nlp.quotes import QuoteMap

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@dataclass
class Mention:
    span: Span
    actor: ActorDraft
    in_quote: bool

    @property
    def start(self) -> int:
        return self.span.start_char


@dataclass
class ActorDraft:
    name: str
    type: str
    aliases: set[str] = field(default_factory=set)
    role: str | None = None
    gender: str | None = None  # "m", "f" or None (unknown)
    mentions: list[Mention] = field(default_factory=list)
    acting: int = 0  # mentions where the actor does or says something
    spoke: int = 0  # positions attributed so far
    channel_only: bool = False
    counted: bool = False  # people known only by their count ("six men"): never who "we" or "it" is

    @property
    def first(self) -> int:
        return min((m.start for m in self.mentions), default=0)

    def all_names(self) -> set[str]:
        return {self.name, *self.aliases}


def only_a_location(actor: ActorDraft) -> bool:
    """A 'person' who is only ever somewhere ('off Calais', 'in Mill Lane') is a place."""
    if actor.gender or actor.role or actor.acting:
        return False
    return all(
        (m.span.root.dep_ == "pobj" and m.span.root.head.lower_ in LOCATIVE) or m.span.root.dep_ == "compound"
        for m in actor.mentions
    )


# What an outlet does when it is only the channel: reports, quotes, interviews.
CHANNEL_VERBS = {
    "say", "tell", "report", "post", "tweet", "interview", "ask", "publish", "obtain", "see",
    "review",
}  # fmt: skip


class ActorIndex:
    """Actors of one article, and the resolver from mentions to actors."""

    def __init__(self, doc: Doc, quotes: QuoteMap) -> None:
        self.doc = doc
        self.quotes = quotes
        self.actors: list[ActorDraft] = []
        self._by_key: dict[str, ActorDraft] = {}
        self._mentions: list[Mention] = []
        # Pronouns and descriptors already resolved (position, actor, was a subject):
        # "he" in one sentence is the antecedent of "he" in the next.
        self._resolved: list[tuple[int, int, ActorDraft, bool]] = []
        self._definitions: dict[tuple[int, int], ActorDraft] = {}
        # Span.sent scans the sentence each time; with many names in one long
        # sentence that turns quadratic, so look sentences up by token instead.
        self._sentences = list(doc.sents)
        self._sentence_at = [0] * len(doc)
        for number, sentence in enumerate(self._sentences):
            self._sentence_at[sentence.start : sentence.end] = [number] * len(sentence)
        self.last_speaker: tuple[int, ActorDraft] | None = None  # (sentence start, actor)
        self._spokesperson_for: tuple[int, ActorDraft] | None = None  # the last "a spokesperson for X": (token, X)
        self._newsroom: set[str] = set()
        self._build()

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        self._define_acronyms()
        spans = _with_whole_organisation_names(
            [ent for ent in self.doc.ents if ent.label_ in ENTITY_TYPES and not adjectival_group(ent) and _named(ent)],
            organisation_names(self.doc),
        )
        spans += _names_cut_by_the_parser(self.doc, spans)
        spans.sort(key=lambda span: span.start)
        # Whoever the credits name wrote or photographed the piece, wherever else the name turns up.
        # (Not the people a photo caption shows: "Photo: Prime Minister X takes the oath".)
        self._newsroom = {
            clean_name(extend_person(s))[0]
            for s in spans
            if s.label_ == "PERSON" and (in_photo_credit(s) or self._credited(extend_person(s)) and not in_caption(s))
        }
        persons = [s for s in spans if self._kind(s) == "person"]
        # Full names first, so "Johnson" and "Mr Johnson" can attach to "Boris Johnson".
        for span in sorted(persons, key=lambda s: -len(clean_name(extend_person(s))[0].split())):
            self._add_person(span)
        for span in spans:
            kind = self._kind(span)
            if kind != "person" and not self._attach_to_person(span):
                self._add_other(span, kind)
        self._add_metonyms()
        self._add_acting_institutions()
        self._add_the_accused()
        self._merge_generic_names()
        self._merge_short_names()
        self._add_untagged_surnames()
        self._mentions.sort(key=lambda m: m.start)
        self._score_activity()
        self._learn_genders()
        org_first_words = {a.name.split()[0].casefold() for a in self.actors if a.type != "person" and " " in a.name}
        for actor in self.actors:
            if actor.type != "person" or actor.gender:
                continue
            if only_a_location(actor):
                actor.type = "place"  # NER tagged a place as a person ("off Calais")
            elif " " not in actor.name and actor.name.casefold() in org_first_words and not actor.role:
                actor.type = "place"  # "Harwick" of "Harwick City Council" is a town

    def _add_untagged_surnames(self) -> None:
        """A surname the tagger left untagged ("Raman, a pharmacist, said …") is a mention of
        the one person in the story whose full name ends with it."""
        surnames: dict[str, list[ActorDraft]] = {}
        for actor in self.actors:
            if actor.type == "person" and " " in actor.name:
                surnames.setdefault(actor.name.split()[-1], []).append(actor)
        covered = {i for m in self._mentions for i in range(m.span.start, m.span.end)}
        for token in self.doc:
            owners = surnames.get(token.text)
            if not owners or len(owners) != 1 or token.i in covered or token.ent_type_:
                continue
            neighbours = [self.doc[j] for j in (token.i - 1, token.i + 1) if 0 <= j < len(self.doc)]
            if any(n.pos_ == "PROPN" and n.is_title for n in neighbours):
                continue  # part of another name: "Raman Street", "Tom Raman"
            self._mention(self.doc[token.i : token.i + 1], owners[0])

    def _add_acting_institutions(self) -> None:
        """An institution known only by a common noun that does something ("the federal government
        redirected $220 million", "Kenya's health ministry said") is an actor, named as the text does."""
        for token in self.doc:
            if token.dep_ in ("nsubj", "nsubjpass") and token.pos_ == "NOUN" and not self.quotes.inside(token.idx):
                phrase = self.doc[token.left_edge.i : token.i + 1]
                if self._named_apposition(token) is not None:
                    continue  # "Greyfriars' parent company, Calder Vane Holdings,": the name is the actor
                if self.actor_at(phrase) is None and not in_credit(phrase):
                    self._unnamed_actor(phrase, groups=False)

    def _add_the_accused(self) -> None:
        """People counted, not named, whom the law deals with ("police arrested six men", "Two men
        have been charged", "All 11 suspects are due to appear"): one actor per count, named as
        the text first counts them, and what "the men" or "the suspects" later refer to."""
        for token in self.doc:
            count = next((c for c in token.children if c.dep_ == "nummod" and c.like_num), None)
            if count is None or token.tag_ != "NNS" or self.quotes.inside(token.idx):
                continue
            verbs = [token.head, *token.head.conjuncts]  # "have been referred to the prosecutor and are due to appear"
            dealt_with = token.dep_ in ("nsubjpass", "dobj", "nsubj") and any(
                v.lemma_.casefold() in LEGAL_PROCESS or any(x.lemma_.casefold() in LEGAL_PROCESS for x in v.children)
                for v in verbs
            )
            if not dealt_with or self.actor_at(self.doc[token.i : token.i + 1]) is not None:
                continue
            number = count.lower_ if count.is_alpha else count.text
            accused = next((a for a in self.actors if a.counted and a.name.split()[0] == number), None)
            if accused is None:
                accused = ActorDraft(name=f"{number} {token.lower_}", type="group", counted=True)
                self.actors.append(accused)
                self._register(accused, accused.name)
            else:
                accused.aliases.add(f"{number} {token.lower_}")
            self._mention(self.doc[count.i : token.i + 1], accused)
        self._mentions.sort(key=lambda m: m.start)

    def _merge_generic_names(self) -> None:
        """'Council' or 'the Board', capitalised and tagged as a name of its own, is the one
        organisation in the story whose name holds that word ('Spokane City Council').
        Likewise a name the tagger cut short at either end ('Borough Council' for 'Aldermoor
        Borough Council', 'Communities' for 'Communities in the North') is the one organisation
        whose full name begins or ends with it."""
        for actor in list(self.actors):
            word = actor.name.casefold()
            if actor.type != "organisation" or (" " not in word and word not in INSTITUTION_HEADS):
                continue
            if " " in word:
                owners = [
                    a
                    for a in self.actors
                    if a is not actor and a.type == "organisation" and _short_name_of(word.split(), a.name)
                ]
            else:
                owners = [
                    a
                    for a in self.actors
                    if a is not actor and a.type == "organisation" and word in a.name.casefold().split()
                ]
            if len(owners) == 1:
                self._merge_into(actor, owners[0])

    def _learn_genders(self) -> None:
        """ "Nalini Rao said her team would …", "Kenji Ito said he expected …": a pronoun in the
        clause a person is the subject of is theirs, so later pronouns can tell two people apart.
        Only one-sided evidence counts; a name seen with both is left open."""
        seen: dict[int, set[str]] = {}
        for mention in self._mentions:
            root = mention.span.root
            if mention.actor.type != "person" or mention.actor.gender or mention.in_quote or root.dep_ != "nsubj":
                continue
            for token in root.head.subtree:
                if token.i > mention.span.end and not self.quotes.inside(token.idx):
                    if token.lower_ in MALE_PRONOUNS:
                        seen.setdefault(id(mention.actor), set()).add("m")
                    elif token.lower_ in FEMALE_PRONOUNS:
                        seen.setdefault(id(mention.actor), set()).add("f")
        for actor in self.actors:
            genders = seen.get(id(actor), set())
            if len(genders) == 1:
                actor.gender = genders.pop()

    def _merge_short_names(self) -> None:
        """A business's short name, whatever the tagger made of it, is that business: the first or
        last words of exactly one business's name, legal form left off ('Kestrel' and 'Calloway' of
        'Kestrel Panel Systems' and 'Calloway Foods'; 'Serra Dourada' of 'Mineração Serra Dourada SA';
        'Austral' of 'Salmones Austral'). A 'place' or a bare 'person' must act to count (the
        tagger read an invented brand as a town or a surname), and must open a name of a brand's
        words: a town only lends its name to 'Perth School of Business' or 'Aldermoor Borough Council'."""
        # Longer short names first: "Serra Dourada" joins its company before "Dourada" is looked up.
        for actor in sorted(self.actors, key=lambda a: -len(a.name.split())):
            if actor.type == "organisation":
                if actor.name.casefold().split()[-1] in ORG_NAME_WORDS:
                    continue  # "Foods" or "Holdings" alone says nothing about which
            elif actor.type == "person" and (" " in actor.name or actor.gender or actor.role):
                continue  # a titled or full name is someone
            elif actor.type not in ("place", "person") or not any(self._acts(m.span) for m in actor.mentions):
                continue
            words = actor.name.casefold().split()
            owners = [
                a
                for a in self.actors
                if a is not actor
                and a.type == "organisation"
                and _short_name_of(words, a.name, prefix_only=actor.type != "organisation")
            ]
            # One owner, and a business: "Castlebridge" of "Castlebridge Transit" and "Castlebridge
            # City Council" is the town; nor is "Tema" of "Tema and Kasoa" a business.
            if len(owners) == 1 and _is_business(owners[0]) and " and " not in owners[0].name:
                self._merge_into(actor, owners[0])

    def _merge_into(self, actor: ActorDraft, owner: ActorDraft) -> None:
        owner.aliases.add(actor.name)
        for mention in actor.mentions:
            mention.actor = owner
            owner.mentions.append(mention)
        self.actors.remove(actor)
        self._by_key[actor.name.casefold()] = owner

    def _add_metonyms(self) -> None:
        for match in re.finditer(r"\b(?:No\.? 10|Number 10)\b", self.doc.text):
            span = self.doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or self.actor_at(span) is not None:
                continue
            name = METONYMS[match.group(0).casefold()]
            actor = self._by_key.get(name.casefold())
            if actor is None:
                actor = ActorDraft(name=name, type="organisation")
                self.actors.append(actor)
                self._register(actor, name)
            actor.aliases.add(match.group(0))
            self._mention(span, actor)

    def _kind(self, span: Span) -> str:
        name, gender = clean_name(span)
        if gender or title_before(span) or _named_holder_of_role(span) or _given_name_left_out(span):
            return "person"  # "Mr Castex", "Its chief executive, Declan Rourke,": a person, whatever the tagger said
        if span.label_ == "PERSON" and set(name.casefold().split()) & ORG_NAME_WORDS:
            return "organisation"
        return ENTITY_TYPES[span.label_]

    def _skip(self, span: Span, name: str) -> bool:
        return (
            not name
            or len(name) < 2
            or is_calendar_word(name)
            or self._credited(span)
            or newsroom_staff(span)
            or name in self._newsroom  # "By Hana Ito" … "Hana Ito is our Tokyo correspondent."
            or inside_person_title(span)
        )

    def _credited(self, span: Span) -> bool:
        """In a byline, a credit line or a photo credit."""
        return (
            in_photo_credit(span)
            # The sentence of the name's last word: the parser may cut "Aldermoor | Borough Council has …".
            or in_byline(self._sentences[self._sentence_at[span.end - 1]])
            or in_credit(span)
        )

    def _add_person(self, span: Span) -> None:
        span = extend_person(span)
        name, gender = clean_name(span)
        gender = gender or TITLES.get(title_before(span) or "", None)
        if self._skip(span, name):
            return
        actor = self._person_for(name, span.start_char)
        if actor is None:
            actor = ActorDraft(name=name, type="person")
            self._register(actor, name)
            self.actors.append(actor)
        elif name != actor.name:
            actor.aliases.add(name)
        if title_before(span):
            # Every title in front, as written: "Mr Justice Pemberton-Hale", not only "Justice".
            first = span.start - 1
            while first > 0 and span.doc[first - 1].lower_.rstrip(".") in TITLES:
                first -= 1
            title: str | None = " ".join(t.text.rstrip(".") for t in span.doc[first : span.start])
        else:
            title = span[0].text.rstrip(".") if span[0].lower_.rstrip(".") in TITLES else None
        if gender:
            actor.gender = gender
        actor.role = actor.role or tidy_role(role_of(span)) or title_in_name(span)
        if title:
            actor.aliases.add(f"{title} {name}")  # "Mr Johnson", as the text writes it
        self._mention(span, actor)

    def _person_for(self, name: str, at: int) -> ActorDraft | None:
        """The person a shorter name refers to: 'Johnson', 'de Croo' -> the full name
        ending in those words, preferring the most recently introduced."""
        key = name.casefold()
        if key in self._by_key and self._by_key[key].type == "person":
            return self._by_key[key]
        words = key.split()
        candidates = [
            a for a in self.actors if a.type == "person" and a.name.casefold().split()[-len(words) :] == words
        ]
        return max(candidates, key=lambda a: (a.first <= at, -abs(a.first - at))) if candidates else None

    def _attach_to_person(self, span: Span) -> bool:
        """NER often tags a surname alone as ORG or GPE ('Castex'); attach it to the person.
        A first name alone ('Julian', when Julian Mercer is in the story) likewise."""
        name, _ = clean_name(span)
        if " " in name or not name[:1].isupper():
            return False
        actor = self._person_for(name, span.start_char)
        if actor is None:
            first_names = [a for a in self.actors if a.type == "person" and a.name.split()[0] == name and " " in a.name]
            actor = first_names[0] if len(first_names) == 1 else None
        if actor is None:
            return False
        extended = extend_person(span)
        full, _ = clean_name(extended)
        if " " in full and " " not in actor.name and full.endswith(actor.name):
            actor.aliases.add(actor.name)  # "Gwen Holloway" completes "Mrs Holloway"
            actor.name = full
            self._register(actor, full)
        actor.aliases.add(name)
        actor.role = actor.role or tidy_role(role_of(extended))
        self._mention(span, actor)
        return True

    def _add_other(self, span: Span, kind: str) -> None:
        if kind == "organisation":
            span = extend_organisation(span)
        name, _ = clean_name(span)
        if self._skip(span, name):
            return
        owned_as = None
        if kind == "organisation" and (own_name := _without_owner(span, name)) is not None:
            owned_as, name = name, own_name  # "Japan's Ministry of Health" is the Ministry of Health
        defined = self._defined_at(span)
        if defined is not None and name.casefold() in defined.name.casefold():
            self._mention(span, defined)  # a piece of a longer name ("Immingham" of "Immingham and ... Group")
            return
        actor = defined or self._by_key.get(name.casefold())
        if actor is None and is_acronym(name):
            actor = next((a for a in self.actors if a.type != "person" and acronym_matches(name, a.name)), None)
        if actor is None:
            actor = self._acronym_owner(name)
        if actor is None and kind != "place":
            actor = self._short_form_of(name)
        if actor is None:
            actor = ActorDraft(name=name, type=kind)
            self.actors.append(actor)
        elif name.casefold() != actor.name.casefold():
            actor.aliases.add(name)
        if owned_as is not None:
            actor.aliases.add(owned_as)
        self._register(actor, name)
        self._mention(span, actor)
        self._take_bracketed_acronym(span, actor)
        if kind == "organisation":
            actor.aliases.update(owned_forms(span, name) - {actor.name})

    def _short_form_of(self, name: str) -> ActorDraft | None:
        """'Quillon' for 'Quillon Technologies': the only organisation whose name starts so."""
        words = name.casefold().split()
        owners = [
            a
            for a in self.actors
            if a.type == "organisation"
            and a.name.casefold().split()[: len(words)] == words
            and len(a.name.split()) > len(words)
        ]
        return owners[0] if len(owners) == 1 else None

    def _defined_at(self, span: Span) -> ActorDraft | None:
        for (start, end), actor in self._definitions.items():
            if start <= span.start_char < end:
                return actor
        return None

    def _define_acronyms(self) -> None:
        """'Alliance of Coastal and Island States (ACIS)': a capitalised name followed by
        the acronym of its initials defines an organisation, however NER split it."""
        pattern = re.compile(
            # At most ten words before the bracket: unbounded, a run of capitalised
            # words with no bracket after it makes the search quadratic.
            r"((?:[A-Z][\w’'&-]*\s+)(?:(?:of|for|and|the|on|&|[A-Z][\w’'&-]*)\s+){0,8}?"
            r"(?:[A-Z][\w’'&-]*))\s+\(([A-Z][A-Za-z&.]{1,9})\)"
        )
        for match in pattern.finditer(self.doc.text):
            phrase, acronym = match.group(1), match.group(2)
            words = phrase.split()
            for cut in range(len(words) - 1):  # the shortest tail of the phrase that fits the acronym
                candidate = " ".join(words[cut:])
                if candidate.split()[0].casefold() in FUNCTION_WORDS:
                    continue
                if acronym_matches(acronym, candidate):
                    start = match.start(1) + phrase.index(candidate)
                    if any(
                        t.ent_type_ == "PERSON"
                        for t in self.doc.char_span(start, start + len(candidate), alignment_mode="expand") or []
                    ):
                        break
                    actor = self._by_key.get(candidate.casefold()) or ActorDraft(name=candidate, type="organisation")
                    if actor not in self.actors:
                        self.actors.append(actor)
                    actor.aliases.add(acronym)
                    self._register(actor, candidate)
                    self._register(actor, acronym)
                    self._definitions[(start, start + len(candidate))] = actor
                    break

    def _acronym_owner(self, name: str) -> ActorDraft | None:
        """A full name introduced after its acronym was seen ('NEU' ... 'National Education Union')."""
        for actor in self.actors:
            if actor.type != "person" and is_acronym(actor.name) and acronym_matches(actor.name, name):
                actor.aliases.add(actor.name)
                self._by_key.pop(actor.name.casefold(), None)
                actor.name = name
                return actor
        return None

    def _take_bracketed_acronym(self, span: Span, actor: ActorDraft) -> None:
        """'National Education Union (NEU)' makes NEU an alias."""
        tail = doc_text(self.doc)[span.start_char : span.end_char + 14]
        match = re.search(r"\(([A-Za-z&.]{2,10})\)", tail[len(clean_name(span)[0]) :][:16])
        if match and is_acronym(match.group(1)):
            actor.aliases.add(match.group(1))
            self._register(actor, match.group(1))

    def _register(self, actor: ActorDraft, name: str) -> None:
        self._by_key.setdefault(name.casefold(), actor)

    def _mention(self, span: Span, actor: ActorDraft) -> None:
        mention = Mention(span=span, actor=actor, in_quote=self.quotes.inside(span.start_char))
        actor.mentions.append(mention)
        self._mentions.append(mention)

    def _score_activity(self) -> None:
        for actor in self.actors:
            acting = sum(1 for m in actor.mentions if self._acts(m.span))
            actor.acting = acting
            if looks_like_media(actor.name) and not any(self._acts(m.span, strict=True) for m in actor.mentions):
                actor.channel_only = True

    def _acts(self, span: Span, strict: bool = False) -> bool:
        """Does this mention do or say something (subject, agent, speaker's org)?"""
        root = span.root
        if root.dep_ == "nsubjpass" and any(c.dep_ == "agent" for c in root.head.children):
            return False  # "the fund is administered by the department": the department acts
        if root.dep_ in SUBJECT_DEPS:
            return not (strict and root.head.lemma_ in CHANNEL_VERBS)
        if strict and root.dep_ == "pobj" and root.head.dep_ == "agent" and root.head.head.lemma_ in CHANNEL_VERBS:
            return False  # "voters interviewed by the Courier": the outlet is the channel
        if (
            root.dep_ in ("poss", "compound")
            and root.ent_type_ not in ("GPE", "LOC")
            and (
                root.head.lower_ in SPOKES | {"government"}
                or root.head.lemma_.casefold() in ISSUED_NOUNS  # "Johnson's letter", "the council's offer"
                or root.head.dep_ in SUBJECT_DEPS  # "the Save Westbrook Hospital campaign said"
            )
        ):
            return True
        if root.dep_ == "pobj" and root.head.lower_ == "by" and root.head.dep_ == "agent":
            return True
        if root.dep_ == "pobj" and root.head.lower_ == "by" and root.head.head.pos_ == "NOUN" and not strict:
            return True  # "an investigation by the Border Force", "a bid by Calloway": the agent of an act
        if not strict and _speaker_works_for(root):
            return True
        # "X, the minister, said" and "X and Y said": the head is the subject.
        return root.dep_ in ("appos", "conj") and root.head.dep_ in SUBJECT_DEPS

    def sentence_of(self, span: Span) -> Span:
        return self._sentences[self._sentence_at[span.start]]

    # --- resolving ----------------------------------------------------------------

    def actor_at(self, span: Span) -> ActorDraft | None:
        """The actor named by an entity mention overlapping `span` (the one holding its head word first)."""
        root = span.root.i
        for mention in self._mentions:
            if mention.span.start <= root < mention.span.end:
                return mention.actor
        # Otherwise a name that qualifies the head: "a Castlebridge Transit spokesperson",
        # "the committee's chair, Councillor Rob Tennant" -- not "drivers in Castlebridge".
        for mention in self._mentions:
            inside = mention.span.start < span.end and span.start < mention.span.end
            qualifies = mention.span.root.head.i == root and mention.span.root.dep_ in ("compound", "poss", "appos")
            if qualifies and (
                (mention.actor.type == "place" and _place_only_describes(mention.span.root, span.root))
                or span.root.lemma_.casefold() in PLACE_NOUNS
            ):
                continue  # "the Casablanca club", "one Reykjavík brokerage": the place says which, it is not it
            if inside and (qualifies or len(span) == len(mention.span)):
                return mention.actor
        return None

    def resolve(self, span: Span, groups: bool = False) -> ActorDraft | None:
        """Name, pronoun or descriptor -> actor, using what came before in the text.

        An institution named only by a common noun ("the health ministry") becomes an
        actor of its own; with `groups`, so does a plural noun that speaks ("analysts
        said"): a speaker is someone, whatever the tagger made of them."""
        named = self.actor_at(span)
        if named is not None:
            return named
        root = span.root
        lower = root.lower_
        named_apposition = self._named_apposition(root)
        if named_apposition is not None:  # "The regional governor of Los Lagos, Paola Cárcamo,"
            return named_apposition
        owner = next((c for c in root.children if c.dep_ == "poss" and c.pos_ == "PRON"), None)
        if owner is not None and root.tag_ == "NNS" and root.pos_ == "NOUN":
            # "its analysts", "their lawyers": the people speak for whoever "its" is.
            return self.resolve(span.doc[owner.i : owner.i + 1])
        accused = self._accused_referred_to(span)
        if accused is not None:
            return accused
        pair = self.pair_referred_to(span)
        if pair:
            return pair[0]  # one actor wanted: the first named of the two
        body = _body_whose_members(root)
        if body is not None:  # "councillors are due to vote", "some council members called it optimistic"
            members_of = self._recent(span, lambda a: a.type == "organisation" and body in a.name.casefold().split())
            if members_of is not None:
                return members_of
        if lower in MALE_PRONOUNS or lower in FEMALE_PRONOUNS:
            actor = self._resolve_pronoun(span, "m" if lower in MALE_PRONOUNS else "f")
        elif lower in THING_PRONOUNS or lower in ("we", "us", "our"):
            # "it" is most often the organisation the story is following, not the last place named
            actor = self._recent(
                span,
                lambda a: a.type in ("organisation", "group") and (a.acting > 0 or a.spoke > 0) and not a.counted,
            ) or self._recent(span, lambda a: a.type == "place" and a.spoke > 0)
        elif root.pos_ == "PROPN" and span.root.i > span.start:
            # "Priya Nair, the union's deputy general secretary": the name before any apposition
            actor = self.named_organisation(span.doc[span.start : root.i + 1]) or self._resolve_descriptor(span)
        else:
            actor = self._resolve_descriptor(span) or self._unnamed_actor(span, groups)
        if actor is not None:
            self._resolved.append((span.start_char, self.sentence_of(span).start, actor, root.dep_ in SUBJECT_DEPS))
        return actor

    def pair_referred_to(self, span: Span) -> list[ActorDraft]:
        """ "The two ministers", "both sides", "the two governments": the last two actors of that
        kind named before, in the order they were named; [] when the phrase is no such pair."""
        root = span.root
        if root.tag_ != "NNS" or not any(c.lower_ in ("two", "both") for c in root.children):
            return []
        kind = PAIR_NOUNS.get(root.lemma_.casefold())
        if kind is None:
            return []

        def fits(actor: ActorDraft) -> bool:
            if actor.channel_only or actor.counted or not (actor.acting or actor.spoke):
                return False
            if kind == "person":
                return actor.type == "person" and root.lemma_.casefold() in (actor.role or "").casefold()
            if kind == "country":
                return actor.type == "place"
            if kind == "company":
                return actor.type == "organisation" and _is_business(actor)
            return actor.type != "person"  # "sides": countries, a union and a company

        pair: list[ActorDraft] = []
        for mention in reversed(self._mentions):
            if mention.start < span.start_char and not mention.in_quote and fits(mention.actor):
                if mention.actor not in pair:
                    pair.append(mention.actor)
                if len(pair) == 2:
                    return sorted(pair, key=lambda a: a.first)
        return []

    def _accused_referred_to(self, span: Span) -> ActorDraft | None:
        """ "The men", "Both men", "the suspects", "the six", "They": the people counted earlier."""
        root = span.root
        counted = [m.actor for m in self._mentions if m.start < span.start_char and m.actor.counted]
        if not counted:
            return None
        latest = counted[-1]
        noun = latest.name.split()[-1]
        referred = False
        if root.tag_ == "NNS" and (root.lower_ == noun or root.lemma_.casefold() in ACCUSED_NOUNS):
            # "the men", "Both men", "All 11 suspects"; not "two pharmacists" among them
            referred = any(c.dep_ in ("det", "predet", "nummod") or c.lower_ in ("both", "all") for c in root.children)
        elif root.lower_ in ("they", "them") and root.dep_ in ("nsubj", "nsubjpass"):
            # "They were remanded in custody and are due to face court": what the law does to them
            clause = [t for t in root.head.subtree if t.pos_ == "VERB"]
            referred = any(t.lemma_.casefold() in LEGAL_PROCESS for t in clause)
        if not referred:
            return None
        if self.actor_at(span) is None:
            self._mention(span, latest)
            self._mentions.sort(key=lambda m: m.start)
            latest.acting += root.dep_ in SUBJECT_DEPS
        return latest

    def _resolve_pronoun(self, span: Span, gender: str) -> ActorDraft | None:
        """The nearest earlier person of that gender outside quotations, preferring the
        subject of the nearest sentence that has one (the centre of attention)."""
        # (position, sentence start, actor, is subject) for names and earlier resolved pronouns
        candidates = [
            (m.start, self.sentence_of(m.span).start, m.actor, m.span.root.dep_ in SUBJECT_DEPS | {"appos"})
            for m in self._mentions
            if m.start < span.start_char and m.actor.type == "person" and not m.in_quote
        ]
        candidates += [r for r in self._resolved if r[0] < span.start_char and r[2].type == "person"]
        # A one-word "person" with no title, role or given name is more often a place the
        # tagger misread ("from Malawi", "in Zahle") than someone the story follows.
        candidates = [c for c in candidates if c[2].gender in (gender, None) and not _bare_name(c[2])]
        if not candidates:
            return None
        candidates.sort(key=lambda c: c[0])
        nearest_sentence = candidates[-1][1]
        same = [c for c in candidates if c[1] == nearest_sentence]
        # Within one sentence the subject is the likely antecedent (the centre of attention).
        subjects = [c for c in same if c[3]]
        gendered = [c for c in (subjects or same) if c[2].gender == gender]
        actor = (gendered or subjects or same)[0][2]
        # "she said" tells us who she is: a later "he" will not go to her.
        actor.gender = actor.gender or gender
        return actor

    def _recent(self, span: Span, accept) -> ActorDraft | None:  # type: ignore[no-untyped-def]
        for mention in reversed(self._mentions):
            usable = mention.start < span.start_char and not mention.in_quote and not mention.actor.channel_only
            if usable and accept(mention.actor):
                return mention.actor
        return None

    def named_organisation(self, span: Span) -> ActorDraft | None:
        """A capitalised name the tagger missed, acting as a speaker ('Downing Street said')."""
        words = [t for t in span if t.dep_ != "det" and not (t.text in ("-", "‑") and not t.whitespace_)]
        if not words or not all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in words):
            return None
        if words[0].lower_.rstrip(".") in TITLES and len(words) > 1:  # "Mr Tennant", missed by the tagger
            return self._person_for(span.doc[words[1].i : words[-1].i + 1].text, span.start_char)
        if any(t.lower_ in ROLE_WORDS for t in words):
            return None
        name = span.doc[words[0].i : words[-1].i + 1].text
        person = self._person_for(words[-1].text, span.start_char) if len(words) == 2 else None
        if person is not None:  # "Priya Nair", untagged, when "Ms Nair" is known
            if " " not in person.name:
                person.aliases.add(person.name)
                person.name = name
                self._register(person, name)
            return person
        if is_calendar_word(name) or name.casefold() in PLATFORMS or looks_like_media(name):
            return None
        actor = self._by_key.get(name.casefold())
        if actor is None:
            person = _described_as_someone(words[-1]) and 2 <= len(name.replace("-", " ").split()) <= 4
            actor = ActorDraft(name=name, type="person" if person else "organisation")
            self.actors.append(actor)
            self._register(actor, name)
        self._mention(span.doc[words[0].i : words[-1].i + 1], actor)
        self._mentions.sort(key=lambda m: m.start)
        actor.acting += 1
        if actor.type == "organisation" and len(actor.mentions) == 1:
            self._merge_short_names()  # "Merrow" said …, then "Merrow Ports, which runs …": one company
        return actor

    def _resolve_descriptor(self, span: Span) -> ActorDraft | None:
        """'the minister', 'the union', 'a DfE spokesperson', 'the Education Secretary'."""
        if span.root.lemma_.casefold() in PLACE_NOUNS:
            return None  # "the Tema region": somewhere, not someone
        named = self.named_organisation(span)
        if named is not None:
            return named
        for child in span.root.children:  # "The campaign group Tide Watch": the name in apposition
            if child.dep_ in ("appos", "compound") and child.i > span.root.i and child.pos_ == "PROPN":
                named = self.named_organisation(span.doc[child.left_edge.i : child.right_edge.i + 1])
                if named is not None:
                    return named
        for token in span:  # an entity inside the phrase decides: "a No 10 spokesman"
            if token.ent_type_ and token.i != span.root.i:
                if token.ent_type_ in ("GPE", "LOC") and _place_only_describes(token, span.root):
                    continue  # "the Boston-based firm", "a schoolteacher in Kiribathgoda": where, not who
                owner = self.actor_at(span.doc[token.i : token.i + 1])
                if owner is not None:
                    return owner
                if token.ent_type_ in ("NORP", "GPE"):
                    return None  # "French officials": someone's officials, but no actor we know
        proper = [t for t in span if t.pos_ == "PROPN" and t.i < span.root.i and t.dep_ == "compound"]
        if proper:  # "A Castlebridge Transit spokesperson", untagged: look the name up
            name = span.doc[proper[0].i : proper[-1].i + 1].text
            known = self._by_key.get(name.casefold())
            if known is not None and not (known.type == "place" and _place_only_describes(proper[-1], span.root)):
                return known
        for child in span.root.children:  # "a spokesman for Downing Street", "an official at the ministry"
            if child.dep_ == "prep" and child.lower_ in ("for", "of", "at", "from", "with"):
                for grandchild in child.children:
                    if grandchild.dep_ != "pobj":
                        continue
                    phrase = grandchild.doc[grandchild.left_edge.i : grandchild.i + 1]
                    owner = self.actor_at(phrase) or (
                        self._resolve_descriptor(phrase) or self._unnamed_actor(phrase, False)
                        if grandchild.pos_ == "NOUN" and grandchild.lemma_.casefold() not in SPOKES
                        else None
                    )
                    if owner is not None:
                        if span.root.lemma_.casefold() in SPOKES:
                            self._spokesperson_for = (span.start, owner)
                        return owner
        head = span.root.lemma_.casefold()
        if head in SPOKES:
            # "union officials", "a council spokesman": the noun in front says whose.
            for token in span:
                if token.i != span.root.i and token.lemma_.casefold() in ORG_DESCRIPTORS:
                    return self._resolve_descriptor(span.doc[token.i : token.i + 1])
            definite = any(c.dep_ == "det" and c.lower_ == "the" for c in span.root.children)
            if definite and self._spokesperson_for is not None:
                at, principal = self._spokesperson_for
                if 0 < span.start - at <= SPOKESPERSON_REACH:
                    return principal  # "“…,” the spokesperson said." after "A spokesperson for X said …"
            speaker = self._recent_speaker(span)
            if speaker is not None and speaker.type == "organisation":
                return speaker  # "The spokesman said…" right after "a No 10 spokesman said…"
            return self._recent(span, lambda a: a.type == "organisation" and (a.acting > 0 or a.spoke > 0))
        phrase = " ".join(t.lower_ for t in span if t.dep_ not in ("det", "poss") and t.lower_ not in ("'s", "’s"))
        words = DESCRIPTOR_SYNONYMS.get(head, (head,))
        # "The group's chair": the possessor narrows it to the chair whose role mentions a group.
        owners = [t.lower_ for t in span if t.dep_ in ("poss", "compound") and t.i != span.root.i and t.pos_ == "NOUN"]

        # "interior minister": the modifier must fit too, or it is someone we know no role for.
        # (Adjectives describe rather than name: "the full council" is the council we know.)
        modifiers = [
            t.lower_
            for t in span
            if t.dep_ in ("amod", "compound")
            and t.i < span.root.i
            and t.is_alpha
            and t.pos_ != "ADJ"
            and not _based_in(t)
        ]

        def fits(actor: ActorDraft) -> bool:
            # The titles written with the name count: "Justice Halima Bello" is the judge.
            titles = [alias.split()[0] for alias in actor.aliases if actor.type == "person" and " " in alias]
            described = " ".join([actor.name, actor.role or "", *titles]).casefold()
            if owners and not all(owner in described for owner in owners):
                return False
            if modifiers and not all(m in described for m in modifiers):
                return False
            if phrase and phrase in described:
                return True
            return any(word in described for word in words)

        if head in ORG_DESCRIPTORS and span.root.tag_ == "NNS" and modifiers:
            return None  # "environmental groups", "national federations": many, not the one we know
        if head in ORG_DESCRIPTORS:
            named = self._recent(span, lambda a: a.type == "organisation" and fits(a))
            if named is None and not owners and not modifiers:
                named = self._introduced_unnamed(span)
            if named is None and head in BUSINESS_DESCRIPTORS and not owners:
                # "The company" is the business the story follows: the most mentioned one so far.
                before = {id(m.actor): m.actor for m in self._mentions if m.start < span.start_char}.values()
                businesses = [a for a in before if a.type == "organisation" and _is_business(a) and a.acting > 0]
                named = max(businesses, key=lambda a: (len(a.mentions), a.first), default=None)
            return named
        if span.root.pos_ == "NOUN" or span.root.pos_ == "PROPN":
            speaker = self._recent_speaker(span, same_paragraph=True)
            if speaker is not None and speaker.type == "person" and (speaker.role is None or fits(speaker)):
                return speaker  # "However, he said …. “…,” the minister said." continues one speaker
            return self._recent(span, lambda a: a.type == "person" and fits(a))
        return None

    def _introduced_unnamed(self, span: Span) -> ActorDraft | None:
        """ "the commission" after "agreed to create a joint commission": the body introduced
        without a name, named as the text introduced it ("joint commission")."""
        lemma = span.root.lemma_.casefold()
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in span.root.children):
            return None  # "his board", "its committee": someone's own, not the one introduced
        for token in reversed(span.doc[: span.start]):
            if token.lemma_.casefold() != lemma or token.pos_ != "NOUN" or self.quotes.inside(token.idx):
                continue
            if not any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.children):
                continue  # an earlier "the committee": the same one, introduced further back
            words = [c for c in token.children if c.dep_ in ("amod", "compound") and c.i < token.i and c.is_lower]
            if not words:
                return None  # "a committee" alone names nothing
            name = span.doc[words[0].i : token.i + 1].text
            actor = self._by_key.get(name.casefold())
            if actor is None:
                actor = ActorDraft(name=name, type="organisation")
                self.actors.append(actor)
                self._register(actor, name)
                self._mention(span.doc[words[0].i : token.i + 1], actor)
                self._mentions.sort(key=lambda m: m.start)
            actor.acting += span.root.dep_ in SUBJECT_DEPS  # "the commission is due to meet": it acts
            return actor
        return None

    def _named_apposition(self, root: Token) -> ActorDraft | None:
        """A descriptor with a name in apposition: the named actor ("the regional governor,
        Paola Cárcamo"; "the largest shareholder, the fund manager Kelso & Firth")."""
        if root.pos_ != "NOUN":
            return None
        for child in root.children:
            if child.dep_ != "appos":
                continue
            for token in child.subtree:
                if token.ent_type_ in ("PERSON", "ORG"):
                    actor = self.actor_at(token.doc[token.i : token.i + 1])
                    if actor is not None:
                        return actor
        return None

    def _unnamed_actor(self, span: Span, groups: bool) -> ActorDraft | None:
        """An actor known only by a common noun: an institution ("the interior ministry",
        "the presidency", "Kenya's health ministry") or, with `groups`, people in the
        plural ("industry analysts", "the buyers", "doctors")."""
        root = span.root
        if root.pos_ != "NOUN" or self.quotes.inside(root.idx) or root.lemma_.casefold() in INFORMATION_NOUNS:
            return None
        for child in root.children:  # "the council's cabinet", "the network's board": the owner acts
            if child.dep_ == "poss":
                phrase = span.doc[child.left_edge.i : child.i + 1]
                owner = self.actor_at(phrase) or (self._resolve_descriptor(phrase) if child.pos_ == "NOUN" else None)
                if owner is not None and owner.type != "place":
                    return owner
            # "shareholders of Reloncaví", "members of the union": a body's own people act for it.
            if child.dep_ == "prep" and child.lower_ == "of" and root.lemma_.casefold() in OWN_PEOPLE:
                for owner_token in (c for c in child.children if c.dep_ == "pobj"):
                    owner = self.actor_at(span.doc[owner_token.left_edge.i : owner_token.i + 1])
                    if owner is not None and owner.type == "organisation":
                        return owner
        if any(t.dep_ == "det" and t.lower_ in ("a", "an", "another") for t in root.children):
            return None  # "a technical committee": some body of someone we know, not a new actor
        # ("her company", "its board": a pronoun's, someone we know under a name, not a new actor;
        # "the previous government", "the new committee", "the largest party": which one, not who)
        modified = any(
            t.dep_ in ("compound", "amod", "nmod", "poss")
            and t.pos_ != "PRON"
            and not _based_in(t)
            and not (t.dep_ == "amod" and (t.tag_ in ("JJR", "JJS") or t.lower_ in RELATIVE_ADJECTIVES))
            for t in root.children
        )
        if root.lemma_.casefold() in INSTITUTION_HEADS and modified:
            # Bare "the union" is one we already know under its name; "the interior ministry" may be new.
            kind = "organisation"
        elif groups and root.tag_ == "NNS":
            kind = "group"
        else:
            return None
        start = after_prefix(span).start  # not the "19.10 GMT -" of a live blog's entry
        words = [
            t
            for t in span.doc[start : root.i + 1]
            if t.i == root.i
            or (
                t.dep_ in ("compound", "amod", "nmod", "poss", "case")
                and t.pos_ != "PRON"
                and not is_calendar_word(t.text)
                and not _based_in(t)
            )
        ]
        # "many scientists" are scientists; "the body's ethics committee" is the ethics committee.
        while words and (
            words[0].pos_ in ("DET", "NUM", "PRON")
            or words[0].dep_ == "case"
            or words[0].lower_ in QUANTIFIERS
            or (
                words[0].dep_ == "poss"
                and words[0].pos_ == "NOUN"
                and root.lemma_.casefold() not in COLLECTIVES
                and words[0].lower_ not in ROLE_WORDS  # "the president's office" is the office of one
            )
        ):
            words = words[1:]
        if not words:
            return None
        name = span.doc[words[0].i : root.i + 1].text
        if any(t.pos_ in ("DET", "NUM", "PRON") or t.lower_ in QUANTIFIERS for t in span.doc[words[0].i : root.i]):
            name = " ".join(t.text for t in words)
        actor = self._by_key.get(name.casefold())
        if actor is None:
            actor = ActorDraft(name=name, type=kind)
            self.actors.append(actor)
            self._register(actor, name)
        if kind == "group" and (described := _with_where_from(span.doc[words[0].i : root.i + 1])) is not None:
            actor.aliases.add(described)  # "farmer groups in the Sughd region", "supporters of the change"
        actor.acting += 1
        self._mention(span.doc[words[0].i : root.i + 1], actor)
        self._mentions.sort(key=lambda m: m.start)
        return actor

    def _recent_speaker(self, span: Span, same_paragraph: bool = False) -> ActorDraft | None:
        """Who spoke in the sentence before this one (or two before), if anyone."""
        if self.last_speaker is None:
            return None
        sentence_start, actor = self.last_speaker
        here = self.sentence_of(span).start
        sentences = [s for s in self._sentences if s.start < here]
        recent = sentences[-1:] if same_paragraph else sentences[-2:]
        if same_paragraph and recent and "\n" in span.doc[recent[-1].end - 1 : here + 1].text:
            return None
        return actor if any(s.start == sentence_start for s in recent) else None


def _speaker_works_for(token: Token) -> bool:
    """The organisation a speaker works for or speaks for: "Lina Qasem, an analyst at the
    Levant Institute, said", "a spokeswoman for Fundación Mar Interior said"."""
    for _ in range(6):
        if token.dep_ not in ("pobj", "prep", "poss", "compound") or token.head is token:
            return False
        token = token.head
        if token.dep_ in SUBJECT_DEPS and token.lemma_.casefold() in SPOKES:
            return True
        if token.dep_ == "appos" and token.head.dep_ in SUBJECT_DEPS and token.head.ent_type_ == "PERSON":
            # An outside commentator's employer is not in the story: "an analyst at Pine Ridge".
            return not is_commentator(token)
    return False


def _with_where_from(phrase: Span) -> str | None:
    """A group's name with the short prepositional phrase that says which ("nurses at Osugi",
    "MPs from three parties"), as the text gives it; None when there is none."""
    root = phrase.root
    prep = next((c for c in root.children if c.dep_ == "prep" and c.i == phrase.end), None)
    if prep is None or prep.lower_ not in ("in", "of", "at", "from", "on", "for"):
        return None
    tail = phrase.doc[prep.i : prep.right_edge.i + 1]
    if len(tail) > 7 or any(t.pos_ in ("VERB", "AUX") or t.is_punct for t in tail):
        return None
    return phrase.doc[phrase.start : tail.end].text


def _short_name_of(words: list[str], name: str, prefix_only: bool = False) -> bool:
    """Are `words` (casefolded) the first or last words of `name` without its legal form, possessive
    marks aside ("Employees" of "Employees’ Union")? With `prefix_only`, only the first, followed by
    a brand's capitalised words ("Kestrel Panel Systems", not "Perth School of Business")."""
    words = [w.rstrip("'’") for w in words]
    full = [w for w in name.split() if w.casefold().strip(".") not in LEGAL_FORMS]
    folded = [w.casefold().rstrip("'’") for w in full]
    if len(folded) <= len(words):
        return False
    if folded[: len(words)] == words:
        return not prefix_only or all(w[:1].isupper() for w in full[len(words) :])
    return not prefix_only and folded[-len(words) :] == words


def _named_holder_of_role(span: Span) -> bool:
    """'Its chief executive, Declan Rourke,' or 'Declan Rourke, a spokesman': a name of two or
    three capitalised words in apposition with a person's role is a person, whatever the tagger said."""
    words = [t for t in span if not t.is_punct]
    if span.label_ != "ORG" or not 2 <= len(words) <= 3 or not all(t.is_title for t in words):
        return False
    if any(t.lower_ in ORG_NAME_WORDS for t in words):
        return False
    root = span.root
    if root.dep_ == "conj" and root.head.ent_type_ == "PERSON":
        return True  # "Simon Vercoe and Grace Liufau": listed with people, a person
    roles = ROLE_WORDS | SPOKES | {"executive"}
    if root.dep_ == "appos" and root.head.lemma_.casefold() in roles:
        return True
    if _described_as_someone(root):
        return True  # "Anne-Marie Tremblay, a glaciologist based in Chicoutimi,"
    of_place = (
        root.head if root.dep_ == "appos" and root.head.dep_ == "pobj" and root.head.head.lower_ == "of" else None
    )
    if of_place is not None and of_place.head.head.lemma_.casefold() in roles:
        return True  # "The regional governor of Los Lagos, Paola Cárcamo,"
    return any(c.dep_ == "appos" and c.lemma_.casefold() in roles for c in root.children)


def rank(actors: Iterable[ActorDraft], evidence_counts: dict[int, int], limit: int = 8) -> list[ActorDraft]:
    """Most salient first: mentions, what they say or do, and how early they appear."""
    kept = [a for a in actors if _is_key_actor(a, evidence_counts.get(id(a), 0))]

    def salience(actor: ActorDraft) -> float:
        early = 1.5 if actor.first < 600 else 0.0
        titled = 3.0 if actor.type == "person" and actor.role else 0.0  # a named office-holder matters
        place = -2.0 if actor.type == "place" else 0.0  # a country acts less often than its ministers
        return len(actor.mentions) + 2.0 * evidence_counts.get(id(actor), 0) + actor.acting + early + titled + place

    return sorted(kept, key=salience, reverse=True)[:limit]


# Heads that name a body only through whose it is: "farmers' groups", "pharmacists' groups".
# The people and organs through which an organisation acts: its shareholders, members, board.
OWN_PEOPLE = {"shareholder", "member", "board", "executive", "leadership", "bureau", "management", "director"}
COLLECTIVES = {"group", "body", "association", "organisation", "organization", "representative", "union"}


# Adjectives that pick out which of a kind, in time or by comparison, without naming it.
RELATIVE_ADJECTIVES = {
    "previous", "former", "current", "present", "new", "then", "successive", "future", "next", "last",
    "outgoing", "incoming", "combined", "merged", "real", "old", "same", "other",
}  # fmt: skip
# Plural nouns that, with "two" or "both", refer back to two actors named before: the kind each must be.
PAIR_NOUNS = {
    "minister": "person", "leader": "person", "president": "person", "negotiator": "person",
    "country": "country", "nation": "country", "government": "country",
    "company": "company", "firm": "company",
    "side": "any", "party": "any", "delegation": "any",
}  # fmt: skip
# The unnamed members of a body, voting or deciding as it: "councillors", "union members".
MEMBER_NOUNS = {"councillor": "council", "councilor": "council"}


def _body_whose_members(root: Token) -> str | None:
    """The body whose members a plural noun names ("councillors", "council members"), unless the
    members are named ("councillors Helen Marsden and Peter Galbraith": those people) or counted."""
    if root.tag_ != "NNS" or any(c.pos_ == "PROPN" and c.dep_ in ("appos", "compound") for c in root.children):
        return None
    if any(c.dep_ == "nummod" for c in root.children):
        return None  # "Four councillors voted against": some of them, not the council
    lemma = root.lemma_.casefold()
    if lemma == "member":
        return next((c.lower_ for c in root.children if c.dep_ == "compound" and c.lower_ in ORG_DESCRIPTORS), None)
    return MEMBER_NOUNS.get(lemma)


def _is_business(actor: ActorDraft) -> bool:
    return not (set(actor.name.casefold().replace("’", "'").split()) & CIVIC_NAME_WORDS)


def _bare_name(actor: ActorDraft) -> bool:
    return actor.type == "person" and " " not in actor.name and not (actor.gender or actor.role) and not actor.aliases


def _is_key_actor(actor: ActorDraft, evidence: int) -> bool:
    if actor.channel_only or actor.name.casefold() in PLATFORMS:
        return False
    if _bare_name(actor):
        return actor.spoke > 0  # "Rima" who speaks is someone; "Turnout" or "Glasgow" is not
    if actor.type == "person":
        # Named but never doing, saying or being anything: a passer-by, or a place NER took for a person.
        return bool(actor.gender or actor.role or actor.acting or evidence)
    if actor.type == "place":
        # A place acts when it speaks, decides or commits ("Ottawa agreed to ...", "Tehran said"),
        # not when it is only where things happen or what handles the cargo.
        return evidence > 0
    if actor.type == "group":
        return actor.acting > 0 or evidence > 0
    return actor.acting > 0 or evidence > 0


def _with_whole_organisation_names(entities: list[Span], names: list[Span]) -> list[Span]:
    """The tagger's entities, with every organisation name found whole in place of the
    pieces of it the tagger made; where a tagged entity runs past such a name, the entity wins."""

    def start(entity: Span) -> int:  # "the Pātiki Beach Residents'": the article is no part of the name
        return entity.start + (entity.start + 1 < entity.end and entity.doc[entity.start].lower_ == "the")

    kept_names = [
        name
        for name in names
        if not any(
            start(e) < name.end and name.start < e.end and (start(e) < name.start or e.end > name.end) for e in entities
        )
    ]
    inside = {i for name in kept_names for i in range(name.start, name.end)}
    outside = [e for e in entities if not any(i in inside for i in range(e.start, e.end))]
    # Labelled as the tagger would, so the rest of the index treats them as organisations.
    named = [name.doc.char_span(name.start_char, name.end_char, label="ORG") for name in kept_names]
    return outside + [n for n in named if n is not None]


def _without_owner(span: Span, name: str) -> str | None:
    """The body's own name when the tagged name opens with a place or institution that owns it:
    "Japan's Ministry of Health, Labour and Welfare", "the National Assembly's Departmental Committee
    on Education", "Ghana's Volta Rovers". Not a possessive inside a name: "Attorney General's
    Office", "People's Alliance"."""
    mark = next((t for t in span if t.text in ("'s", "’s") and t.i > span.start), None)
    if mark is None or f"{mark.text} " not in name:
        return None
    owner = span.doc[span.start : mark.i]
    rest = name.split(f"{mark.text} ", 1)[1]
    # (Inside an ORG entity a place's own tag is lost: look for it tagged elsewhere, or as a country.)
    owned_by_place = (
        any(t.ent_type_ in ("GPE", "LOC") for t in owner)
        or owner.text in country_names()
        or any(e.text == owner.text for e in span.doc.ents if e.label_ in ("GPE", "LOC"))
    )
    owned_by_body = owner[-1].lower_ in INSTITUTION_HEADS and owner[-1].is_title
    if not (owned_by_place or owned_by_body) or len([w for w in rest.split() if w[:1].isupper()]) < 2:
        return None
    return rest


def _place_only_describes(place: Token, head: Token) -> bool:
    """A place inside a descriptor says where someone is, not who speaks: "the Boston-based
    firm", "a retired schoolteacher in Kiribathgoda", "one Reykjavík brokerage". It speaks for
    them only as the owner of an office or its spokesperson ("Qatar's foreign ministry",
    "a UK government spokesperson")."""
    if head.lemma_.casefold() in ORG_DESCRIPTORS:
        return True
    if (place.head.dep_ == "prep" and place.head.lower_ in LOCATIVE) or place.head.lower_ in ("based", "born"):
        return True
    indefinite = any(c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "one", "another") for c in head.children)
    return indefinite and head.lemma_.casefold() not in SPOKES


def _described_as_someone(name: Token) -> bool:
    """'Marie-Ève Gagnon, a sea-ice physicist based in Rimouski,': a name the tagger missed,
    in apposition with "a <noun>" that is not a kind of organisation, is a person's."""
    return any(
        child.dep_ == "appos"
        and child.pos_ == "NOUN"
        and child.lemma_.casefold() not in ORG_DESCRIPTORS
        and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in child.children)
        for child in name.children
    )


def _based_in(token: Token) -> bool:
    """'Boston-based' in "the Boston-based firm": where it is, not what it is called."""
    doc = token.doc
    if token.lower_ == "based":
        return True
    return token.i + 2 < len(doc) and doc[token.i + 1].text in ("-", "‑") and doc[token.i + 2].lower_ == "based"


def _names_cut_by_the_parser(doc: Doc, tagged: list[Span]) -> list[Span]:
    """The parser sometimes ends a sentence after the first word of a name that opens a
    paragraph ("Chikondi | Mwale has been negotiating …", "Aldermoor | Borough Council has …"),
    and the tagger then misses it. A one-word sentence of a capitalised name followed by a
    capitalised word that is the subject of the next is one name: a person's when the story
    goes on to use the second word alone ("Mwale is one of …"). Organisations are found whole
    by organisation_names."""
    covered = {i for span in tagged for i in range(span.start, span.end) if span.label_ != "ORG"}
    found = []
    for first in doc[:-1]:
        second = doc[first.i + 1]
        one_word_sentence = first.is_sent_start and second.is_sent_start
        if not (one_word_sentence and first.pos_ == second.pos_ == "PROPN" and first.is_title and second.is_title):
            continue
        if second.dep_ not in ("nsubj", "nsubjpass") or first.i in covered or second.i in covered:
            continue
        if second.lower_ in NAME_HEADS or (second.i + 1 < len(doc) and doc[second.i + 1].is_title):
            continue
        if any(t.text == second.text for t in doc if t.i != second.i):  # "Mwale is one of …"
            span = doc.char_span(first.idx, second.idx + len(second), label="PERSON")
            if span is not None:
                found.append(span)
    return found


# Nouns of places: a name in front of one names the place ("the Tema region"), never an actor.
PLACE_NOUNS = {"region", "province", "district", "county", "state", "area", "city", "town", "village", "port", "suburb"}


def _given_name_left_out(span: Span) -> bool:
    """'Egidijus | Stankaitis said': the tagger took the surname for an organisation and left
    the given name out. A one-word name right after an untagged capitalised word, speaking."""
    if span.label_ != "ORG" or len(span) != 1 or span.start == 0:
        return False
    given = span.doc[span.start - 1]
    root = span.root
    speaks = root.dep_ == "nsubj" and root.head.lemma_.casefold() in ("say", "tell", "add", "insist", "warn")
    return speaks and given.pos_ == "PROPN" and given.is_title and not given.ent_type_ and not given.is_sent_start


# What the law does to people, or has them do: its objects and subjects are the accused.
LEGAL_PROCESS = {"arrest", "charge", "detain", "remand", "convict", "sentence", "jail", "indict", "extradite",
                 "appear", "face", "plead"}  # fmt: skip
ACCUSED_NOUNS = {"suspect", "accused", "defendant", "man", "woman", "people", "person"}


# How far (in tokens) "the spokesperson" still means the one last introduced: about three sentences.
SPOKESPERSON_REACH = 120


def _named(entity: Span) -> bool:
    """A name has a capital somewhere: "congress" or "the council", tagged as an organisation
    in lower case, is an event or a descriptor, never a name."""
    if any(t.text[:1].isupper() for t in entity if not t.is_punct and t.lower_ not in ("the", "a", "an")):
        return True
    # ... unless it is an institution the text names by what it is: "the labor ministry"
    return entity.root.lemma_.casefold() in INSTITUTION_HEADS and len([t for t in entity if t.dep_ != "det"]) > 1
