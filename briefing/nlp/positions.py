"""Positions: what each actor says, wants, demands or rejects, with the
sentence that shows it.

Three shapes of attribution, found on the dependency parse:
- direct quotes: “…,” he said. / X said: “…” / a quote running over paragraphs;
- reported speech: X said (that) …; X warned / insisted / called for …; according to X;
- stances without a speech verb: X is seeking 12%; X rejected the offer.
The speaker is resolved through the ActorIndex (names, pronouns, descriptors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.document import PositionKind
from briefing.nlp.actors import ActorDraft, ActorIndex
from briefing.nlp.names import ROLE_WORDS, STANCE_NOUNS, after_prefix, doc_text, in_caption, subjects_of
from briefing.nlp.quotes import Quote, QuoteMap
from briefing.text import paragraph_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Verbs that report what someone says or thinks: with a clause, a quote or an object
# they attribute a position ("X said (that) ...", "X warned of ...").
SAY_VERBS = frozenset({
    "say", "tell", "add", "write", "post", "tweet", "state", "declare", "announce", "reply", "respond",  # saying
    "insist", "warn", "argue", "claim", "stress", "emphasise", "emphasize", "maintain", "contend", "allege",
    "caution", "complain",  # arguing
    "explain", "note", "describe", "indicate", "signal", "suggest", "conclude", "acknowledge",  # explaining
    "confirm", "deny", "admit", "concede",  # confirming
    "predict", "believe", "hope", "expect", "estimate",  # expecting
    "vow", "pledge", "promise", "threaten",  # committing
})  # fmt: skip
# Verbs by which someone takes a side without saying so in words: wants, rejects,
# decides, agrees, reacts ("the board is rejecting the bid", "they voiced frustration").
STANCE_VERBS = frozenset({
    "want", "seek", "demand", "call", "urge", "press", "push", "ask", "request", "offer", "propose",  # wanting
    "reject", "refuse", "resist", "oppose", "dismiss", "condemn", "challenge", "question", "object",  # rejecting
    "disagree", "criticise", "criticize", "accuse", "blame",
    "support", "back", "favour", "favor", "welcome", "praise", "defend", "accept", "agree", "concur",  # backing
    "decide", "approve", "order", "recommend", "plan", "intend",  # deciding
    "voice", "cite",  # reacting: "voiced frustration", "expressed disappointment"
    "vote",  # "voted no", "voted 5-2 to approve"
})  # fmt: skip
# Phrasal verbs that take a side: "has ruled out serving", "set out its price", "turned down the plan".
STANCE_PARTICLES = frozenset({("rule", "out"), ("set", "out"), ("turn", "down")})
# Support-verb constructions: the noun carries the stance ("raised objections", "made an offer",
# "gave the plan a cautious welcome", "lodged an appeal").
LIGHT_VERBS = frozenset({"raise", "give", "make", "issue", "lodge", "file", "launch", "table", "submit"})
# A court's or an inquiry's finding: a position only with the clause it finds ("ruled that ...").
FINDING_VERBS = frozenset({"rule", "find", "hold", "determine"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
# Speech verbs whose passive subject is the one spoken to: "were told", "was warned", "were asked".
ADDRESSED_VERBS = {"tell", "warn", "ask", "inform", "advise", "assure", "urge", "remind", "instruct"}
MAX_STATEMENT_WORDS = 40


@dataclass(frozen=True)
class FoundPosition:
    actor: ActorDraft
    statement: str
    evidence: str  # the sentence, verbatim
    start: int  # where the evidence starts in the article text
    kind: PositionKind = "reported"
    verb: str | None = None  # the attribution verb's lemma ("say", "reject", "according")


def find_positions(doc: Doc, index: ActorIndex, quotes: QuoteMap) -> list[FoundPosition]:
    found: list[FoundPosition] = []
    last_speaker: ActorDraft | None = None
    speaker_of_quote: dict[int, ActorDraft] = {}  # a quotation's opening mark -> who speaks it
    unattributed: list[Span] = []  # sentences that open inside a quotation but name no speaker
    for sentence in doc.sents:
        if not any(t.is_alpha for t in sentence) or in_caption(sentence):
            continue  # a stray quotation mark states nothing; a photo caption describes a picture
        positions = _attributed(sentence, index, quotes)
        if not positions:
            continued = _continued_quote(sentence, quotes, last_speaker)
            positions = [continued] if continued else []
        if not positions:
            if _quote_at_start(sentence, quotes) is not None:
                unattributed.append(sentence)
            continue
        for position in positions:
            found.append(position)
            position.actor.spoke += 1
        index.last_speaker = (sentence.start, positions[0].actor)
        if _has_quote(sentence, quotes):
            last_speaker = positions[0].actor
            for quote in quotes.within(sentence.start_char, sentence.end_char):
                speaker_of_quote.setdefault(quote.start, positions[0].actor)
    paragraphs = list(paragraph_spans(doc_text(doc)))
    for sentence in unattributed:
        position = _quoted_sentence(sentence, quotes, speaker_of_quote, found, paragraphs)
        if position is not None:
            found.append(position)
            position.actor.spoke += 1
    return sorted(found, key=lambda p: p.start)


def _quote_at_start(sentence: Span, quotes: QuoteMap) -> Quote | None:
    """The quotation a sentence opens inside of, or opens with."""
    text = sentence.text
    start = sentence.start_char + len(text) - len(text.lstrip())
    return quotes.at(start)


def _quoted_sentence(
    sentence: Span,
    quotes: QuoteMap,
    speaker_of_quote: dict[int, ActorDraft],
    found: list[FoundPosition],
    paragraphs: list[tuple[int, int]],
) -> FoundPosition | None:
    """A sentence of quoted speech with no speaker of its own: one more sentence of a
    quotation attributed elsewhere (“A. B,” she said), of another quotation by the same
    speaker in its paragraph (“A,” she said. “B.”), or a paragraph that is all quotation
    right after a paragraph in which someone spoke (news style: the speaker goes on)."""
    quote = _quote_at_start(sentence, quotes)
    if quote is None:
        return None
    speaker = speaker_of_quote.get(quote.start)
    here = _paragraph_of(sentence.start_char, paragraphs)
    if speaker is None and here is not None:
        p_start, p_end = paragraphs[here]
        same = [q for q in quotes.within(p_start, p_end) if q.start in speaker_of_quote]
        if same:
            nearest = min(same, key=lambda q: abs(q.start - quote.start))
            speaker = speaker_of_quote[nearest.start]
        elif quote.start == p_start and here > 0:
            before = [p for p in found if p.start < p_start]
            previous = before and _paragraph_of(max(before, key=lambda p: p.start).start, paragraphs)
            if before and previous == here - 1:
                speaker = max(before, key=lambda p: p.start).actor
    if speaker is None:
        return None
    statement = _shorten(quotes.text[sentence.start_char : min(sentence.end_char, quote.end)].strip().strip('“”"'))
    return FoundPosition(speaker, statement, _evidence(sentence), sentence.start_char, "quote", "say")


def _paragraph_of(position: int, paragraphs: list[tuple[int, int]]) -> int | None:
    return next((i for i, (start, end) in enumerate(paragraphs) if start <= position < end), None)


def _attributed(sentence: Span, index: ActorIndex, quotes: QuoteMap) -> list[FoundPosition]:
    """The position a sentence attributes, once for each speaker: "Smith and Jones
    filed a joint appeal" is a position of each of them."""
    described: set[int] = set()  # inside a speaker's own phrase ("a diplomat who asked not to be named")
    for verb in _attribution_verbs(sentence, quotes):
        if verb.i in described or not _has_content(verb, sentence, quotes):
            continue
        speaker_span = _speaker(verb)
        if speaker_span is None:
            continue
        described |= _own_phrase(speaker_span.root)
        actors = _speakers(speaker_span, index)
        if not actors:
            continue
        statement, kind = _statement(sentence, verb, quotes)
        lemma = "according" if verb.lower_ == "according" else verb.lemma_.casefold()
        found = [
            FoundPosition(actor, statement, _evidence(sentence), sentence.start_char, kind, lemma) for actor in actors
        ]
        return found + _contrasted(sentence, verb, index, quotes, {id(a) for a in actors})
    return []


# "..., while others asked it to focus on enforcement", "..., though trade lawyers note that ...":
# a second speaker set against the first in the same sentence holds a position of their own.
_CONTRAST_MARKS = {"while", "whereas", "though", "although", "but"}


def _contrasted(
    sentence: Span, main: Token, index: ActorIndex, quotes: QuoteMap, taken: set[int]
) -> list[FoundPosition]:
    found = []
    for verb in _attribution_verbs(sentence, quotes):
        contrasted = (
            verb.dep_ in ("advcl", "conj")
            and main in verb.ancestors
            and any(c.lower_ in _CONTRAST_MARKS for c in verb.children if c.dep_ in ("mark", "cc"))
        )
        if verb is main or not contrasted or not _has_content(verb, sentence, quotes):
            continue
        speaker_span = _speaker(verb)
        if speaker_span is None or speaker_span.root.dep_ not in _SUBJECTS or speaker_span.root.head != verb:
            continue  # its own subject, not one borrowed from the main clause
        statement, kind = _statement(sentence, verb, quotes)
        for actor in _speakers(speaker_span, index):
            if id(actor) not in taken:
                taken.add(id(actor))
                lemma = verb.lemma_.casefold()
                found.append(FoundPosition(actor, statement, _evidence(sentence), sentence.start_char, kind, lemma))
    return found


def _own_phrase(head: Token) -> set[int]:
    """The words of a speaker's phrase with its relative clauses ("who asked not to be named"),
    but not an apposition, which the parser may hang there from anywhere in the sentence."""
    words = {head.i}
    for child in head.children:
        if child.dep_ != "appos":
            words |= _own_phrase(child)
    return words


def _speakers(span: Span, index: ActorIndex) -> list[ActorDraft]:
    """The actor a speaker phrase names, or each of a coordination's ("Chad and Sudan")."""
    span = after_prefix(span)
    root = span.root
    named = _named_in_apposition(span, index)
    if named is not None:  # "Council members Ruth Delgado and Aaron Fitch", "Counsel to the operator, B. Cole,"
        root = named
    conjuncts = [root, *[c for c in root.conjuncts if span.start <= c.i < span.end]]
    members = _members(conjuncts, root, span)
    if len(members) > 1:
        actors = []
        own_start = _noun_phrase(root).start if named is not None else span.start
        for token in members:
            part = _noun_phrase(token) if token is not root else span.doc[own_start : root.i + 1]
            actor = index.resolve(part, groups=True)
            if actor is not None and not actor.channel_only and actor not in actors:
                actors.append(actor)
        if len(actors) > 1:
            return actors
    if named is not None:
        actor = index.resolve(_noun_phrase(named))
        if actor is not None and not actor.channel_only:
            return [actor]
    pair = index.pair_referred_to(span)
    if pair:  # "The two ministers agreed …": each of them holds the position
        return pair
    # The speaker's own phrase first: "Marie-Ève Gagnon, a physicist based in Rimouski," is
    # Gagnon, whatever is named inside her apposition.
    own = span.doc[span.start : root.i + 1]
    actor = (index.resolve(own, groups=True) if len(own) < len(span) else None) or index.resolve(span, groups=True)
    return [actor] if actor is not None and not actor.channel_only else []


def _members(conjuncts: list[Token], root: Token, span: Span) -> list[Token]:
    """Every speaker of a coordination, the names of a listed role ("... and councillors Helen
    Marsden, Peter Galbraith and Grace Liufau voted") and of a list the parser read as an
    apposition ("Councillors Bridget Ashworth, Tama Ngata and Colin Redfern")."""
    members: list[Token] = []
    for token in conjuncts:
        if token is not root and (token.pos_ == "NOUN" or token.lower_ in ROLE_WORDS):
            names = [c for c in token.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
            listed = [names[0], *names[0].conjuncts] if names else [token]
        else:
            listed = [token]
        for name in list(listed):
            if name.ent_type_ == "PERSON":
                for apposed in (c for c in name.children if c.dep_ == "appos" and c.ent_type_ == "PERSON"):
                    listed += [apposed, *apposed.conjuncts]
        members += [t for t in listed if span.start <= t.i < span.end and t not in members]
    # "... and councillors Helen Marsden, …" parsed with the names hung elsewhere: the role
    # word right before a listed name is that name's title, not one more speaker.
    starts = {_noun_phrase(t).start for t in members if t.ent_type_ == "PERSON"}
    return [t for t in members if not (t.pos_ == "NOUN" and t.i + 1 in starts)]


def _named_in_apposition(span: Span, index: ActorIndex) -> Token | None:
    """The name in apposition to a speaker known only by a role or a common noun: "Counsel to
    the operator, Babatunde Adeyemi-Cole, told", "Greyfriars' parent company, Calder Vane
    Holdings, said", "The regional governor of Los Lagos, Paola Cárcamo, said". The role noun
    is not an entity itself; the name is a person or an organisation the index knows."""
    root = span.root
    if root.ent_type_ or root.pos_ not in ("NOUN", "PROPN"):
        return None
    # The apposition hangs on the role, or on the place of "governor of Los Lagos".
    holders = [root, *_prepositional_objects(root)]
    for holder in holders:
        for child in holder.children:
            if child.dep_ != "appos" or not span.start <= child.i < span.end:
                continue
            actor = index.actor_at(span.doc[child.i : child.i + 1])
            if actor is not None and actor.type in ("person", "organisation") and child.pos_ == "PROPN":
                return child
    return None


def _prepositional_objects(token: Token) -> list[Token]:
    """ "Los Lagos" of "governor of Los Lagos": the objects of the token's prepositions."""
    return [o for p in token.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"]


def _noun_phrase(token: Token) -> Span:
    """A conjunct's own phrase: its left modifiers and itself, without what follows."""
    doc = token.doc
    start = min([token.i, *[c.left_edge.i for c in token.lefts]])
    return doc[start : token.i + 1]


def _attribution_verbs(sentence: Span, quotes: QuoteMap) -> list[Token]:
    """Speech and stance verbs outside quotation marks, the main verb first."""
    verbs = [
        token
        for token in sentence
        if not quotes.inside(token.idx)
        and not _participle_phrase(token)
        and not _background(token)
        and (
            (token.pos_ in ("VERB", "AUX") and token.lemma_.casefold() in SAY_VERBS | STANCE_VERBS)
            or (token.pos_ == "VERB" and _stance_construction(token))
            or (token.lemma_.casefold() in FINDING_VERBS and any(c.dep_ == "ccomp" for c in token.children))
            or (token.lower_ == "according" and any(c.lower_ == "to" for c in token.children))
        )
    ]
    # A parenthetical "..., the union says, ..." attributes the whole sentence, whatever its main verb.
    return sorted(verbs, key=lambda t: (not _parenthetical_speech(t), _depth(t), t.i))


# "The last strike ended when the company agreed to review rates": a deed in a time clause
# is the story's past, not anyone's position now.
_TIME_MARKS = {"when", "after", "before", "until", "since", "while", "once"}


def _background(verb: Token) -> bool:
    if verb.lemma_.casefold() in SAY_VERBS:
        return False
    if any(c.dep_ == "aux" and c.lower_ == "must" for c in verb.children):
        return True  # "Ministers must decide again": an obligation laid on them, not their stance
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _TIME_MARKS for c in verb.children)


def _stance_construction(verb: Token) -> bool:
    lemma = verb.lemma_.casefold()
    if any(c.dep_ == "prt" and (lemma, c.lower_) in STANCE_PARTICLES for c in verb.children):
        return True
    return lemma in LIGHT_VERBS and any(c.dep_ == "dobj" and c.lemma_.casefold() in STANCE_NOUNS for c in verb.children)


def _parenthetical_speech(verb: Token) -> bool:
    return verb.lemma_.casefold() in SAY_VERBS and verb.dep_ == "parataxis"


def _has_content(verb: Token, sentence: Span, quotes: QuoteMap) -> bool:
    """'He wrote to Mr Macron' says nothing; 'he wrote that …' or 'he wrote: “…”' does."""
    if verb.lower_ == "according":
        # "Turnout was 61%, according to the Election Commission": a source of figures, not a view.
        return not any(t.like_num or t.text == "%" for t in sentence if not quotes.inside(t.idx))
    if verb.lemma_.casefold() not in SAY_VERBS or verb.dep_ == "parataxis":
        return True  # a parenthetical "…, the union says, …" is about the clause around it
    if any(c.dep_ in ("ccomp", "xcomp", "dobj", "attr", "oprd") for c in verb.children):
        return True
    if any(c.dep_ == "prep" and c.lower_ in ("for", "against", "about", "of") for c in verb.children):
        return True  # "argued for a cut", "warned against delay"
    if any(t.dep_ == "ccomp" for t in verb.subtree):
        return True  # "said in a statement published alongside the decision that …"
    if any(t.dep_ in ("acl", "relcl") and any(m.dep_ == "mark" and m.lower_ == "that" for m in t.children)
           for t in verb.subtree):  # fmt: skip
        return True  # "said in a statement that the merger would …", the clause hung on "statement"
    return bool(quotes.within(sentence.start_char, sentence.end_char))


def _participle_phrase(token: Token) -> bool:
    """'Asked about …,' / 'Speaking at …,': a subjectless participle sets the scene."""
    return (
        token.dep_ in ("advcl", "acl", "amod")
        and token.tag_ in ("VBN", "VBG")
        and token.i < token.head.i  # before the main verb; "…, arguing that …" after it is the speaker's
        and not any(c.dep_ in _SUBJECTS for c in token.children)
    )


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _speaker(verb: Token) -> Span | None:
    """The noun phrase that speaks: the verb's subject, the subject of the verb it
    is coordinated with, or X in "according to X"."""
    doc = verb.doc
    if verb.lower_ == "according":
        for to in verb.children:
            for obj in to.children:
                if obj.dep_ == "pobj":
                    return doc[obj.left_edge.i : obj.i + 1]
        return None
    if any(c.dep_ == "auxpass" for c in verb.children):
        # "The bid was rejected by the board": the agent takes the position, not what it was about.
        for agent in (c for c in verb.children if c.dep_ == "agent"):
            for obj in (c for c in agent.children if c.dep_ == "pobj"):
                return doc[obj.left_edge.i : obj.i + 1]
        if verb.lemma_.casefold() not in SAY_VERBS or verb.lemma_.casefold() in ADDRESSED_VERBS:
            return None  # "Drivers were told to pay …, she said": whoever is told only hears it
    token = verb
    for _ in range(4):
        subjects = subjects_of(token, _SUBJECTS)
        if subjects:
            subject = subjects[0]
            if subject.lower_ in ("that", "which", "who") and token.dep_ == "relcl":
                return doc[token.head.left_edge.i : token.head.i + 1]
            # Keep an apposition: "The committee's chair, Councillor Rob Tennant, defended …"
            # ... and a coordination: "Chad and Sudan agreed".
            # ... and a name given after a role's "of": "The regional governor of Los Lagos, Paola Cárcamo,".
            attached = [c for c in subject.children if c.dep_ in ("appos", "conj")]
            attached += [a for o in _prepositional_objects(subject) for a in o.children if a.dep_ == "appos"]
            end = max([subject.i] + [c.right_edge.i for c in attached])
            return after_prefix(doc[subject.left_edge.i : end + 1])  # not "DOHA, Sept 8 (Reuters) - Chad"
        if token.dep_ in ("conj", "xcomp", "advcl") and token.head is not token:
            token = token.head
            continue
        break
    return None


def _continued_quote(sentence: Span, quotes: QuoteMap, last_speaker: ActorDraft | None) -> FoundPosition | None:
    """A paragraph that opens by continuing the previous paragraph's quotation."""
    if last_speaker is None:
        return None
    quote = quotes.at(sentence.start_char)
    if quote is None or not quote.continues or quote.start != sentence.start_char:
        return None
    return FoundPosition(
        last_speaker, _quote_text(quotes, quote.start, quote.end), _evidence(sentence), sentence.start_char, "quote"
    )


def _has_quote(sentence: Span, quotes: QuoteMap) -> bool:
    return bool(quotes.within(sentence.start_char, sentence.end_char))


def _statement(sentence: Span, verb: Token, quotes: QuoteMap) -> tuple[str, PositionKind]:
    """A short statement of the position, in the source's own words, and its kind:
    a direct quote, reported speech, or a stance taken without a speech verb."""
    in_sentence = quotes.within(sentence.start_char, sentence.end_char)
    if in_sentence and verb.lemma_.casefold() in SAY_VERBS and _quote_is_the_statement(sentence, in_sentence[0].start):
        return _shorten(" … ".join(_quote_text(quotes, q.start, q.end) for q in in_sentence)), "quote"
    clause = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and not quotes.inside(c.idx)), None)
    if clause is not None and verb.lemma_.casefold() in SAY_VERBS:
        tokens = [t for t in clause.subtree if t.dep_ != "mark" or t.i > clause.left_edge.i]
        if tokens and tokens[0].lower_ == "that":
            tokens = tokens[1:]
        if tokens:
            return _shorten(sentence.doc[tokens[0].i : tokens[-1].i + 1].text), "reported"
    if verb.lower_ == "according":  # "…, according to X": the rest of the sentence is the statement
        skip = {t.i for t in verb.subtree}
        words = [t for t in sentence if t.i not in skip]
        return _shorten(
            " ".join(t.text_with_ws.strip() for t in words if t.text.strip()).replace(" ,", ",")
        ), "reported"
    # A stance: the verb and what it governs ("rejected the demand as unaffordable").
    end = max(t.i for t in verb.subtree)
    text = sentence.doc[verb.i : end + 1].text if end > verb.i else sentence.text
    return _shorten(text), "reported" if verb.lemma_.casefold() in SAY_VERBS else "stance"


def _quote_is_the_statement(sentence: Span, quote_start: int) -> bool:
    """A quote that opens the sentence or follows 'said:' is the statement; a quoted
    phrase inside reported speech is not (the clause around it is)."""
    before = doc_text(sentence.doc)[sentence.start_char : quote_start].rstrip()
    return not before or before.endswith((":", ","))


def _quote_text(quotes: QuoteMap, start: int, end: int) -> str:
    return quotes.text[start:end].strip().strip('“”"').strip(" ,")


def _shorten(text: str) -> str:
    words = " ".join(text.split()).rstrip(" ,;:").split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:") in ("and", "but", "or", "while", "as"):
        words = words[:-1]  # a clause cut before its coordinated half
        words[-1] = words[-1].rstrip(",;:")
    if len(words) <= MAX_STATEMENT_WORDS:
        return " ".join(words)
    return " ".join(words[:MAX_STATEMENT_WORDS]).rstrip(",;:") + " …"


def _evidence(sentence: Span) -> str:
    return sentence.text.strip()
