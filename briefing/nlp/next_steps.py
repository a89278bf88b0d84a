"""Next steps: the announced or expected future actions in an article, each with its evidence sentence.

A verb is a next step when its grammar marks it as future and commits someone to it:
"will/shall meet", "is due/set/expected/scheduled to meet", "is to close", "plans/intends/hopes to appeal",
"has pledged to", "said it would appeal" (reported speech only), "has until 10 July to comply", or a
present tense or "could" dated by a forward-looking time expression ("the vote takes place in June",
"talks could resume next week"). Past events, demands, forecasts about things rather than actors
("the strike would hit shoppers") and negated or undated hypotheticals are left out: precision first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.document import NextStep
from briefing.nlp.dates import TimeExpression, resolve_date, time_expressions
from briefing.nlp.future_words import (
    ACTOR_ENTITIES,
    ACTOR_NOUNS,
    AGENT_PRONOUNS,
    COMMIT,
    DATED_BY_TIME,
    DECIDE,
    DEMAND,
    EVENT_REFERENCE_WINDOW,
    EXPECTED_EVENTS,
    INTEND,
    ISSUED_NOUNS,
    MAX_WORDS,
    MIGHT,
    MUST,
    NEGATIVE_SUBJECTS,
    NOT_ACTIONS,
    NOT_DESCRIBED,
    NOW,
    READY,
    RELATIVE_TAGS,
    RESCHEDULE,
    SCHEDULE,
    SPEECH,
    TRIMMABLE,
    WILL,
    WOULD,
    guess_lemma,
)
from briefing.nlp.names import after_prefix, doc_text, in_caption, is_commentator, subjects_of
from briefing.nlp.quotes import QuoteMap

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ActorResolver = Callable[["Span"], "str | None"]


@dataclass(frozen=True)
class FutureAction:
    verb: Token  # the action: "write", "hold", "close", "approved"
    top: Token  # where its tense, subject and negation live: the verb, "plans", "is" (of "is due to")
    kind: str  # will | would | might | schedule | intend | commit | expect | decide | is-to | deadline | present
    time: TimeExpression | None
    speaker: Token | None  # the X of "X said ..." or "according to X"
    sent: Span  # the sentence it is in: descriptions never reach past it
    needs_actor: bool = False  # a hedged, agreed or conditional step counts only once its actor is known


def find_next_steps(
    doc: Doc, anchor: dt.date | None, resolve_actor: ActorResolver, quotes: QuoteMap | None = None
) -> list[NextStep]:
    """One NextStep per announced future action in the article, in text order, without duplicates.
    `quotes` is the article's QuoteMap when the caller has one already."""
    steps: list[NextStep] = []
    seen: set[tuple[str, str]] = set()
    quotes = quotes if quotes is not None else QuoteMap(doc_text(doc))
    dated: list[tuple[int, FutureAction, dt.date]] = []  # (sentence number, action, date) of dated steps so far
    for number, sent in enumerate(sentence_units(doc)):
        if in_caption(sent):
            continue  # "Delegates leave the session on Thursday. Photograph: …" describes a picture
        evidence = sent.text.strip()
        quoted_by = _own_subject(sent.root) if _is(sent.root, SPEECH) else None  # "“…,” said X, an analyst"
        for action in future_actions(sent, anchor):
            if _commentator(action.speaker) or _commentator(quoted_by):
                continue  # "said X, an analyst at Pine Ridge": a forecast from outside, not an announced step
            if _the_writers_own(action, quotes):
                continue  # "We'll be back with live coverage from 8am tomorrow": the newsroom, not the story
            if action.kind == "must" and action.time is None and quotes.inside(action.verb.idx):
                continue  # "“The government must act”": a demand, a position, not an obligation laid down
            when = action.time.text if action.time else None
            date = resolve_date(when, anchor) if when else None
            if when is None:
                recent = [(a, d) for n, a, d in dated if number - n <= EVENT_REFERENCE_WINDOW]
                date = referenced_date(action, recent)
            elif date is not None:
                dated.append((number, action, date))
            actor = _actor(action, resolve_actor)
            if action.needs_actor and actor is None:
                continue
            step = NextStep(text=describe(action), evidence=evidence, when=when, date=date, actor=actor)
            if (step.evidence, step.text) not in seen:
                seen.add((step.evidence, step.text))
                steps.append(step)
    return steps


def sentence_units(doc: Doc) -> Iterator[Span]:
    """spaCy's sentences, cut again at blank lines: a heading or paragraph never runs into the next."""
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if token.is_space and re.search(r"\n\s*\n", token.text) or re.search(r"\n\s*\n", token.whitespace_):
                if sent.doc[start : token.i + 1].text.strip():
                    yield sent.doc[start : token.i + 1]
                start = token.i + 1
        if sent.doc[start : sent.end].text.strip():
            yield sent.doc[start : sent.end]


def future_actions(sent: Span, anchor: dt.date | None) -> list[FutureAction]:
    """The future actions of one sentence, leaving out those that only elaborate another ("..., where she is
    expected to face questions" inside "is due to appear on Tuesday")."""
    expressions = [e for e in time_expressions(sent) if _looks_forward(e, anchor)]
    found = [a for verb in sent if verb.pos_ in ("VERB", "AUX") if (a := _future_action(verb, sent, expressions))]
    if not found and (nominal := _nominal_step(sent, expressions)) is not None:
        found = [nominal]
    # Without a future marker only the date makes an action future, so it must not fall before the anchor.
    found = [a for a in found if a.kind not in DATED_BY_TIME or _not_before(a.time, anchor)]
    found = [a for a in found if not _in_a_past_year(a, anchor) and not _called_off(a, expressions)]
    anchors = {t.i for a in found for t in (a.verb, a.top)}
    return [a for a in found if not _subordinate(a, anchors - {a.verb.i, a.top.i})]


# --- recognising a future action ---


def _future_action(verb: Token, sent: Span, expressions: list[TimeExpression]) -> FutureAction | None:
    if verb.dep_ in ("aux", "auxpass"):
        return None
    governor = _infinitive_governor(verb, sent)
    top = _finite_top(verb, governor)
    modal = _modal(verb) or (_modal(governor) if governor is not None else None)
    reported = _reporting_verb(top) is not None
    kind = _kind(verb, governor, modal, reported) or _scheduled_participle(verb, expressions)
    if kind is None or _negated(verb, governor, top):
        return None
    if modal == "would" and not reported:
        return None  # outside reported speech "would" is a hypothetical
    if _open_question(top):
        return None
    speaker = _speaker(top, sent)
    near = _own_date(verb, top, governor, kind, expressions)
    subject = _subject(verb, top)
    if modal == "might" or kind in DATED_BY_TIME:
        if near is not None and _is_action_verb(verb, near) and _plausible(kind, verb, near):
            if kind == "deadline" and not near.text.lower().startswith(("until", "till")):
                return None
            return FutureAction(verb, top, kind, near, speaker, sent)
        # Undated, only an actor's own hedged plan ("said it might appeal") or agreement
        # ("agreed to meet again, though no date was set") is a next step, and only once
        # the actor is known (find_next_steps checks).
        agreed = kind == "decide" and governor is not None
        hedged_or_agreed = (modal == "might" and not _perfect(verb)) or (agreed and governor.tag_ == "VBD")
        in_main_clause = top.dep_ in ("ROOT", "ccomp", "conj", "parataxis")  # not "when it agreed to", "so it could"
        goes_on = any(c.dep_ == "xcomp" and c.tag_ == "VBG" for c in verb.children)  # "agreed to keep talking"
        acts = goes_on or not _is(verb, NOT_ACTIONS)
        if agreed and near is None and in_main_clause and _no_date_yet(sent) and acts:
            # "Both sides agreed to hold talks, but no date has been fixed": the text itself says it is still to come
            return FutureAction(verb, top, kind, None, speaker, sent)
        if hedged_or_agreed and near is None and in_main_clause and _agentive(subject) and not _is(verb, NOT_ACTIONS):
            return FutureAction(verb, top, kind, None, speaker, sent, needs_actor=True)
        if kind == "must" and near is None and _agentive(subject) and _imposed(verb, top):
            return FutureAction(verb, top, kind, None, speaker, sent, needs_actor=True)
        return None
    time = near or _first_in_clause(verb, top, expressions) or _only_forward_time(expressions)
    action = FutureAction(verb, top, kind, time, speaker, sent)
    if kind == "expect":  # "she expected the review body to publish ... by the end of the month"
        return action if time is not None and _agentive(_own_subject(verb)) else None
    if kind in ("intend", "commit") and not _agentive(subject):
        return None  # people and institutions plan; "the fund would aim to raise $2bn" is a target
    if not _is_action_verb(verb, near):
        return None
    if time is not None or kind in ("schedule", "intend", "commit"):
        return action
    if not (_agentive(subject) and _active_or_agent(verb)):
        return None
    # Undated: an actor's own commitment to act ("he would attend the meeting"); a conditional
    # one ("if the offer is rejected, the union will strike") once the actor is known.
    if _conditional(verb, top):
        return FutureAction(verb, top, kind, None, speaker, sent, needs_actor=True)
    return action


# "though no date or venue has been set", "but no further meeting has been scheduled"
UNSCHEDULED_NOUNS = {"date", "time", "timetable", "timeline", "venue", "meeting", "schedule"}
SETTING_VERBS = {"set", "fix", "schedule", "agree", "announce", "confirm", "name", "give", "arrange"}


def _no_date_yet(sent: Span) -> bool:
    """The sentence says the date of what was agreed is still open: "no date has been set"."""
    return any(
        t.lower_ == "no"
        and t.head.lemma_.casefold() in UNSCHEDULED_NOUNS
        and (_is(t.head.head, SETTING_VERBS) or any(_is(c, SETTING_VERBS) for c in t.head.head.conjuncts))
        for t in sent
    )


def _scheduled_participle(verb: Token, expressions: list[TimeExpression]) -> str | None:
    """ "a budget, slated for a vote in November", "the championship, scheduled for March":
    a participle that puts a named event on the calendar, with its date."""
    if verb.tag_ != "VBN" or verb.lower_ not in SCHEDULE or verb.dep_ not in ("acl", "amod", "ROOT", "relcl", "advcl"):
        return None  # "a budget, slated for a vote in November", "a party congress slated for the spring"
    if any(c.dep_ == "aux" for c in verb.children):
        return None  # "had planned to summon them in September": a plan that was, not an event set
    near = {verb, *verb.children, *(g for c in verb.children for g in c.children)}  # "slated for a vote in November"
    return "schedule" if any(_attached(e, near) for e in expressions) else None


def _nominal_step(sent: Span, expressions: list[TimeExpression]) -> FutureAction | None:
    """Steps named by a noun: "the next stage is a certification hearing", "expected a reply within
    days", "set a deadline of Jan. 31 for a new election"."""
    for token in sent:
        deadline = _deadline_given(token, expressions)
        if deadline is not None:
            return deadline
        if token.pos_ not in ("VERB", "AUX"):
            if _is(token, OPENINGS) and token.dep_ != "compound":
                # "Submissions close on 4 December": a short sentence the parser read without its verb
                dated = next((e for e in expressions if _attached(e, {token, *token.children})), None)
                if dated is not None:
                    top = token.head if token.head.pos_ in ("NOUN", "PROPN") else token  # "Submissions close"
                    return FutureAction(token, top, "schedule", dated, None, sent)
            continue
        subject = _own_subject(token)
        if (
            _is(token, {"be"})
            and subject is not None
            and subject.lemma_.casefold() in ("stage", "step")
            and any(c.lower_ == "next" for c in subject.children)
        ):
            time = _own_date(token, token, None, "schedule", expressions)
            return FutureAction(token, token, "schedule", time, None, sent)
        objects = [c for c in token.children if c.dep_ == "dobj"]
        hosts = {token, *objects, *(g for o in objects for g in o.children)}
        dated = next((e for e in expressions if _attached(e, hosts)), None)
        if dated is None or _negated(token):
            continue
        if _is(token, {"expect", "await"}) and any(_names_an_event(o) for o in objects):
            return FutureAction(token, token, "expect", dated, None, sent)
        if _is(token, {"set", "give", "impose", "fix"}) and any(o.lemma_.casefold() == "deadline" for o in objects):
            return FutureAction(token, token, "deadline", dated, None, sent)
    return None


# Nouns made from verbs name events: "clearance", "approval", "decision", "judgment", "closure".
EVENT_SUFFIXES = ("ion", "ment", "al", "ance", "ence", "ure")


def _names_an_event(noun: Token) -> bool:
    """ "expects clearance by March", "awaits a decision within days": what is awaited happens."""
    lemma = noun.lemma_.casefold()
    return lemma in EXPECTED_EVENTS or (noun.pos_ == "NOUN" and len(lemma) > 6 and lemma.endswith(EVENT_SUFFIXES))


# Directing someone to act: "ordered the regulator to rehear", "called the minister to appear".
DIRECT = {"order", "direct", "instruct", "summon", "call", "require", "compel"}
# What opens or closes on a date: consultations, submissions, polls, registrations.
OPENINGS = {"close", "open", "begin", "end", "start", "resume"}


def _deadline_given(token: Token, expressions: list[TimeExpression]) -> FutureAction | None:
    """ "Gallant Ridge has until 5pm on 1 December to announce …", "It gave Nigeria until Nov. 6 to
    comply": a deadline to act, the action being the infinitive."""
    if not _is(token, {"have", "give"}) or token.pos_ not in ("VERB", "AUX"):
        return None
    until = next((c for c in token.children if c.dep_ == "prep" and c.lower_ in ("until", "till")), None)
    if until is None:
        return None
    dated = next((e for e in expressions if _attached(e, {token, until, *until.subtree})), None)
    act = next(
        (t for t in token.subtree if t.pos_ == "VERB" and t is not token and any(c.lower_ == "to" for c in t.children)),
        None,
    )
    if dated is None or act is None:
        return None
    return FutureAction(act, token, "deadline", dated, None, token.sent)


def _own_date(
    verb: Token, top: Token, governor: Token | None, kind: str, expressions: list[TimeExpression]
) -> TimeExpression | None:
    """The time expression attached to the verb, its marker words or its object ("further action next month")."""
    hosts = {verb, *[c for c in verb.children if c.dep_ in ("acomp", "dobj")]}
    if kind not in ("decide", "direct"):  # a decision's own date is its past: "agreed on Thursday to set up a fund"
        hosts |= {top, *([governor] if governor is not None else [])}
    return next((e for e in expressions if _attached(e, hosts)), None)


def _kind(verb: Token, governor: Token | None, modal: str | None, reported: bool = False) -> str | None:
    if governor is not None:
        word = governor.lower_
        if _past_perfect(governor) and not reported:
            return None  # "had been due to end at six": what was to happen, then (but "said they had agreed to meet")
        # In reported speech the past stands for the speaker's present: "said it planned to appeal".
        # (Not "had planned to": the past perfect is a plan that was, not one that is.)
        # ("was prepared to", "stands ready to": an adjective's tense is its verb's.)
        tensed = governor.head if governor.pos_ == "ADJ" and governor.dep_ in ("acomp", "oprd") else governor
        backshifted = tensed.tag_ == "VBD" or (
            tensed.tag_ == "VBN" and any(c.lemma_ == "be" for c in tensed.children if c.dep_.startswith("aux"))
        )
        now = _present(governor) or _present(tensed) or (reported and backshifted)
        if word == "due" or word == "going" and now or word in SCHEDULE and _passive(governor) or word == "likely":
            return "schedule"
        if (_is(governor, INTEND) or word in READY) and (now or modal):
            return "intend"
        if _is(governor, COMMIT):  # "has pledged to"; a bare past "promised to" may be history: date it
            return "decide" if governor.tag_ == "VBD" else "commit"
        if _is(governor, {"expect"}) and _own_subject(verb) is not None:
            return "expect"
        if _is(governor, DECIDE):
            return "decide"
        if _is(governor, DIRECT) and any(c.dep_ == "dobj" for c in governor.children):
            return "direct"  # "ordered the NDCA to rehear the matter within 60 days": dated, it is a step
        if _is(governor, {"be"}) and governor.tag_ in ("VBZ", "VBP"):
            return "is-to"
        if _is(governor, {"have"}) and modal:
            return modal  # "will have to take up", "would have to pass": an obligation ahead
        if _is(governor, {"have"}) and _present(governor):
            return "deadline"
        return None
    if _governs_infinitive(verb):
        return None  # "plans" of "plans to appeal": the infinitive is the action
    if modal:
        return modal
    if _present(verb) and (not _is(verb, SPEECH | DEMAND) or _passive(verb)):
        return "present"
    return None


def _the_writers_own(action: FutureAction, quotes: QuoteMap) -> bool:
    """Outside quotation marks and reported speech, "we" and "I" are the writer's."""
    subject = _subject(action.verb, action.top)
    if subject is None or subject.lower_ not in ("we", "i") or quotes.inside(subject.idx):
        return False
    return action.speaker is None and _reporting_verb(action.top) is None


def _past_perfect(governor: Token) -> bool:
    tensed = governor.head if governor.pos_ == "ADJ" and governor.dep_ in ("acomp", "oprd") else governor
    return any(c.dep_ == "aux" and c.lower_ in ("had", "'d") for c in tensed.children)


# What undoes a plan: "exercises planned for August were postponed indefinitely".
CALLED_OFF = {"cancel", "scrap", "shelve", "abandon", "postpone", "suspend", "delay", "drop", "axe"}


def _called_off(action: FutureAction, expressions: list[TimeExpression]) -> bool:
    """An event the sentence says was called off: the planned thing is the subject of "postponed",
    "cancelled", "shelved" with no new date of its own ("Its call for proposals, which was due
    to open in September, has been postponed with no new date")."""
    token = action.top
    for _ in range(4):
        if token.dep_ in ("nsubj", "nsubjpass") and token.pos_ in ("NOUN", "PROPN"):
            undoing = token.head
            new_date = any(_attached(e, {undoing, *undoing.children}) for e in expressions)
            return _is(undoing, CALLED_OFF) and not new_date
        if token.head is token:
            return False
        token = token.head
    return False


def _in_a_past_year(action: FutureAction, anchor: dt.date | None) -> bool:
    """ "In 2015 the two governments agreed to fund a review": a year before this one, named
    on the clause, makes it history."""
    if anchor is None:
        return False
    for head in {action.top, action.verb}:
        for child in head.children:
            if child.dep_ not in ("prep", "npadvmod") or child.i > head.i:
                continue
            for token in child.subtree:
                if token.text.isdigit() and len(token.text) == 4 and 1900 < int(token.text) < anchor.year:
                    return True
    return False


def _governs_infinitive(verb: Token) -> bool:
    """ "plans" of "plans to appeal"; not "decide" of "must decide whether to allow", which is the act."""
    marker_words = SCHEDULE | INTEND | COMMIT | DECIDE | {"be", "have", "expect"}
    return _is(verb, marker_words) and any(
        c.dep_ in ("xcomp", "ccomp")
        and any(a.lower_ == "to" for a in c.children)
        and not any(a.lower_ in ("whether", "how", "which", "what", "when") for a in c.children)
        for c in verb.children
    )


def _modal(token: Token) -> str | None:
    for child in token.children:
        if child.dep_ == "aux":
            word = child.lower_
            if word in WILL:
                return "will"
            if word in WOULD:
                return "would"
            if word in MIGHT:
                return "might"
            if word in MUST:
                return "must"
    return None


def _infinitive_governor(verb: Token, sent: Span) -> Token | None:
    """The word a "to"-infinitive hangs on, read off the surface ("due to be approved": "due") because the
    parser attaches these inconsistently; the syntactic head when the surface word is a noun ("voted by 84%
    to strike", "expected the review body to publish")."""
    i = verb.i - 1
    while i > sent.start and (sent.doc[i].lower_ in ("be", "been", "not") or sent.doc[i].pos_ == "ADV"):
        i -= 1
    if sent.doc[i].lower_ != "to" or i <= sent.start:
        return None
    before = sent.doc[i - 1]
    while before.pos_ == "ADV" and before.i > sent.start:
        before = sent.doc[before.i - 1]
    if before.pos_ in ("VERB", "AUX", "ADJ") and before.i >= sent.start:
        return before
    head = verb.head
    return head if verb.dep_ in ("xcomp", "ccomp", "advcl") and head.pos_ in ("VERB", "AUX") else None


def _finite_top(verb: Token, governor: Token | None) -> Token:
    if governor is None:
        return verb
    if governor.pos_ == "ADJ" and governor.dep_ == "acomp":
        return governor.head  # "is" of "is due to"
    return governor


# --- tense, voice, subject ---


def _present(token: Token) -> bool:
    if token.tag_ in ("VBZ", "VBP"):
        return True
    aux = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    if token.tag_ == "VBG":
        return any(c.tag_ in ("VBZ", "VBP") for c in aux)  # "is planning"
    if token.tag_ == "VBN":  # "is expected", "has been set for"; but "has crossed" is a past event
        perfect_schedule = _is(token, RESCHEDULE) and any(c.lower_ == "been" for c in aux)
        return any(c.tag_ in ("VBZ", "VBP") and (c.dep_ == "auxpass" or perfect_schedule) for c in aux)
    return False


def _perfect(token: Token) -> bool:
    """ "may have won": a modal perfect speculates about the past."""
    return token.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in token.children)


def _passive(token: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in token.children) or token.dep_ == "acl" and token.tag_ == "VBN"


def _active_or_agent(verb: Token) -> bool:
    return not _passive(verb) or any(c.dep_ == "agent" for c in verb.children)


def _negated(*tokens: Token | None) -> bool:
    for token in tokens:
        if token is None:
            continue
        if any(c.dep_ == "neg" or c.lower_ == "never" for c in token.children):
            return True
        if any(c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children) for c in token.children):
            return True  # "could no longer staff the unit"
        subject = _own_subject(token)
        if subject is not None and (
            subject.lower_ in NEGATIVE_SUBJECTS or any(c.lower_ in NEGATIVE_SUBJECTS for c in subject.children)
        ):
            return True
    return False


def _own_subject(token: Token) -> Token | None:
    return next(iter(subjects_of(token, ("nsubj", "nsubjpass"))), None)


def _subject(verb: Token, top: Token) -> Token | None:
    """The grammatical subject, following infinitives and conjuncts up to the clause that has one."""
    if top.pos_ == "ADJ" and top.dep_ != "acomp" and top.head.pos_ in ("NOUN", "PROPN", "VERB"):
        return top.head  # "with voting due to close": what is due is the subject
    token: Token | None = verb
    while token is not None:
        subject = _own_subject(token) or (_own_subject(top) if token == verb and top != verb else None)
        if subject is not None:
            if subject.tag_ == "WDT" or subject.lower_ in ("who", "which", "that"):
                return _antecedent(subject)
            return subject
        token = (
            token.head if token.dep_ in ("xcomp", "conj", "acomp", "advcl", "pcomp") and token.head != token else None
        )
    return None


def _antecedent(relative: Token) -> Token:
    clause = relative.head
    return clause.head if clause.dep_ == "relcl" else relative


def _agentive(subject: Token | None) -> bool:
    if subject is None:
        return False
    if subject.lower_ in AGENT_PRONOUNS or subject.pos_ == "PROPN" or subject.ent_type_ in ACTOR_ENTITIES:
        return True
    return _is(subject, ACTOR_NOUNS)


def _is_action_verb(verb: Token, own_date: TimeExpression | None) -> bool:
    # A copula or an effect is a next step only with its own date: "the vote is on Tuesday", "fares will rise
    # from January"; undated, "the strike would hit shoppers" is a forecast.
    if own_date is not None or not _is(verb, NOT_ACTIONS):
        return True
    # "will be making a detailed submission", "will give its decision": what is issued makes it an act.
    return any(c.dep_ == "dobj" and c.lemma_.casefold() in ISSUED_NOUNS for c in verb.children)


def _imposed(verb: Token, top: Token) -> bool:
    """An obligation the story itself states, undated: "Ministers must decide again whether ...",
    "The decision must now be written into the long-term plan" -- what a ruling or a rule now
    requires. Not anyone's demand: a "must" in reported speech ("the government must act, she
    said") is a position, as is one in quotation marks (find_next_steps checks), and a "must" in
    a subordinate clause is a condition."""
    if top.dep_ != "ROOT" or _reporting_verb(top) is not None:
        return False
    if any(c.dep_ == "parataxis" and _is(c, SPEECH) for c in top.children):
        return False  # "…, he said"
    if _is(verb, NOT_ACTIONS) or (_is(verb, SPEECH | DEMAND) and not _passive(verb)):
        return False  # "must be written into the plan" is an act; "must write to ..." a demand
    return not _conditional(verb, top)


def _plausible(kind: str, verb: Token, time: TimeExpression) -> bool:
    if kind != "present":
        return True
    # A present tense dated in the future is a schedule ("the strike begins on Monday"), unless the verb only
    # reports or demands ("is calling for a cut by the summer") or the date is just the present ("today").
    if _is(verb, SPEECH | DEMAND) and not _passive(verb):
        return False
    return not NOW.search(time.text)


def _conditional(verb: Token, top: Token) -> bool:
    return any(
        c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children)
        for t in (verb, top)
        for c in t.children
    )


def _open_question(top: Token) -> bool:
    """ "whether it would appeal", "when the report will be published", or reported by a negated verb
    ("did not say it would appeal"): nothing has been announced."""
    clause = top
    while clause.dep_ in ("conj", "xcomp") and clause.head != clause:
        clause = clause.head
    if any(c.lower_ in ("whether", "if") and c.dep_ == "mark" or c.tag_ == "WRB" for c in clause.children):
        return clause.dep_ in ("ccomp", "xcomp", "csubj", "pcomp")
    reporting = _reporting_verb(top)
    return reporting is not None and any(c.dep_ == "neg" for c in reporting.children)


def _reporting_verb(top: Token) -> Token | None:
    """The speech verb the action is reported under: "said" of "said it would appeal", "confirmed" of
    "She will meet them on 11 May, a spokesperson confirmed"."""
    clause = top
    while clause.dep_ in ("conj", "xcomp") and clause.head != clause:
        clause = clause.head
    if clause.dep_ in ("ccomp", "parataxis") and _is(clause.head, SPEECH):
        return clause.head
    return next((c for c in clause.children if c.dep_ in ("ccomp", "parataxis") and _is(c, SPEECH)), None)


def _commentator(speaker: Token | None) -> bool:
    """A speaker introduced as an outside commentator: "Erin Castellano, an analyst at …"."""
    if speaker is None:
        return False
    return is_commentator(speaker) or any(c.dep_ == "appos" and is_commentator(c) for c in speaker.children)


def _speaker(top: Token, sent: Span) -> Token | None:
    """Who reports the action: the subject of the speech verb it is reported under (however deep: "the union
    said its executive had voted ..., with voting due to close"), or X of "according to X"."""
    speech = _reporting_verb(top)
    if speech is None:
        speech = next((a for a in top.ancestors if a.pos_ == "VERB" and _is(a, SPEECH)), None)
    if speech is not None and _own_subject(speech) is not None:
        return _own_subject(speech)
    for token in sent:
        if token.lower_ == "according" and token.i + 2 < sent.end and sent.doc[token.i + 1].lower_ == "to":
            return next((c for c in sent.doc[token.i + 1].children if c.dep_ == "pobj"), None)
    return None


# --- time expressions ---


def _looks_forward(expression: TimeExpression, anchor: dt.date | None) -> bool:
    if expression.looks_back:
        return False
    years = [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", expression.text)]
    return anchor is None or all(year >= anchor.year for year in years)


def _not_before(expression: TimeExpression | None, anchor: dt.date | None) -> bool:
    date = resolve_date(expression.text, anchor) if expression is not None else None
    return date is None or anchor is None or date >= anchor


def _attached(expression: TimeExpression, tokens: set[Token]) -> bool:
    for governor in expression.governors:
        while governor.pos_ == "ADP" and governor.head != governor:  # "open at 7am tomorrow": "tomorrow" of "at"
            governor = governor.head
        if governor in tokens:
            return True
    return False


def _first_in_clause(verb: Token, top: Token, expressions: list[TimeExpression]) -> TimeExpression | None:
    """For a firmly future verb, the first date anywhere in its clause ("at the summit, which takes place in
    June"), skipping its subject, any coordinated clause with a future of its own and past-tense clauses."""
    excluded = set()
    for token in (verb, top):
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass") or child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
                excluded.update(t.i for t in child.subtree)
    clause = {t.i for t in top.subtree} - excluded
    # Not "today" of "better protected ... than they are today": the present is a comparison, not a date.
    return next(
        (
            e
            for e in expressions
            if all(t.i in clause for t in e.span) and not e.in_past_clause and not NOW.search(e.text)
        ),
        None,
    )


def _only_forward_time(expressions: list[TimeExpression]) -> TimeExpression | None:
    """A sentence's one forward-looking time, when the parse hung it elsewhere ("Talks, the union
    said, would resume next week"): with one candidate, it can only be this action's."""
    forward = [e for e in expressions if not e.in_past_clause and not NOW.search(e.text)]
    return forward[0] if len(forward) == 1 else None


def _subordinate(action: FutureAction, others: set[int]) -> bool:
    """Whether the action sits inside another action's clause other than as a coordinated clause."""
    token, coordinated = action.top, True
    while token.head != token:
        coordinated = coordinated and token.dep_ == "conj"
        token = token.head
        if token.i in others:
            return not coordinated
    return False


# --- an undated step about an event announced just before ---


def referenced_date(action: FutureAction, earlier: list[tuple[FutureAction, dt.date]]) -> dt.date | None:
    """The date of the event an undated action refers back to: "he would attend the meeting" just after "the
    minister will meet union leaders next Tuesday". Only a definite "the/that/this" noun that names the earlier
    action ("meeting" for "meet") or its object ("the talks" after "will hold talks") counts."""
    event = _definite_object(action.verb)
    if event is None:
        return None
    for previous, date in reversed(earlier):
        if _names(event, previous):
            return date
    return None


def _definite_object(verb: Token) -> Token | None:
    for child in verb.children:
        nouns = [child] if child.dep_ == "dobj" else [c for c in child.children if c.dep_ == "pobj"]
        for noun in nouns:
            determiners = {d.lower_ for d in noun.children if d.dep_ == "det"}
            if noun.pos_ == "NOUN" and determiners & {"the", "that", "this"}:
                return noun
    return None


def _names(noun: Token, action: FutureAction) -> bool:
    word = noun.lower_
    verb = action.verb.lemma_.lower() or guess_lemma(action.verb.lower_)
    if word in (verb, verb + "ing", verb + verb[-1:] + "ing", verb.removesuffix("e") + "ing"):
        return True
    objects = [c for c in action.verb.children if c.dep_ == "dobj"]
    return any(o.lemma_.lower() == noun.lemma_.lower() and o.lower_ == word for o in objects)


# --- describing it ---


def describe(action: FutureAction) -> str:
    """A short description from the sentence's own words: subject, marker and verb phrase, without the date
    ("French Prime Minister Jean Castex would write to Boris Johnson with proposals for a balanced agreement")."""
    doc = action.top.doc
    own = _own_subject(action.top)
    subject = own if own is not None and own.tag_ not in RELATIVE_TAGS else _subject(action.verb, action.top)
    chain = _chain(action)
    inside = range(action.sent.start, action.sent.end)
    keep = {t.i for t in (*action.top.subtree, *action.verb.subtree) if t.i in inside}
    drop = {t.i for t in subject.subtree} if subject is not None and subject.i in keep else set()
    lead = _within(subject_span(subject, action), action.sent).text if subject is not None else ""
    # "has until 10 July to ..." and "the deadline is 3 January" need their date to make sense.
    if action.time is not None and action.kind != "deadline" and not _is(action.verb, {"be"}):
        drop |= _time_and_its_clause(action.time, chain)
    fronted_before = subject.left_edge.i if subject is not None and subject.i in keep else -1
    for token in chain:
        for child in token.children:
            # Fronted framing ("Under the plans, fares will rise") would come out after the subject: leave it out.
            if child not in chain and (_left_out(child, action) or child.right_edge.i < fronted_before):
                drop.update(t.i for t in child.subtree)
    words = sorted(i for i in keep - drop if not _is_quote(doc[i]))
    budget = max(MAX_WORDS - len(lead.split()), 6)
    while _word_count(doc, words) > budget and (cut := _trailing_constituent(doc, words, chain, budget)):
        words = [i for i in words if i not in cut]
    phrase = _join(doc, words)
    if phrase.count("(") != phrase.count(")"):
        phrase = " ".join(phrase.replace("(", " ").replace(")", " ").split())
    return " ".join(part for part in (lead, phrase) if part).strip(" ,;:-–")


def _left_out(child: Token, action: FutureAction) -> bool:
    """Parts of the clause that are not the action: framing ("Meanwhile", "according to officials"), relative
    links ("at which"), and adverbial clauses other than purpose ones ("when it sets out its budget")."""
    if child.dep_ == "advcl":
        return not any(c.lower_ in ("to", "for") and c.dep_ in ("aux", "mark") for c in child.children)
    if child.dep_ in NOT_DESCRIBED:
        return True
    if child.dep_ == "advmod" and child.i < action.verb.i and child.i < action.top.i:
        return child.lower_ not in ("formally", "also", "jointly")  # sentence adverbs: "Meanwhile", "However"
    if child.dep_ == "prep" and child.lower_ == "according":
        return True
    if child.tag_ in RELATIVE_TAGS:  # "where" of "..., where she is expected to ..."
        return True
    return child.dep_ == "prep" and any(c.dep_ == "pobj" and c.tag_ in RELATIVE_TAGS for c in child.children)


def _time_and_its_clause(time: TimeExpression, chain: set[Token]) -> set[int]:
    """The date, and a relative or adverbial clause that only carries it ("..., which takes place in June")."""
    drop = {t.i for t in time.span}
    for governor in time.governors:
        clause = governor
        while clause.dep_ not in ("relcl", "advcl") and clause.head != clause and clause not in chain:
            clause = clause.head
        if clause.dep_ in ("relcl", "advcl") and clause not in chain:
            drop |= {t.i for t in clause.subtree}
    return drop


def _chain(action: FutureAction) -> set[Token]:
    chain, token = {action.verb, action.top}, action.verb
    while token != action.top and token.head != token:
        token = token.head
        chain.add(token)
        if len(chain) > 6:
            break
    return chain


def _trailing_constituent(doc: Doc, words: list[int], chain: set[Token], budget: int) -> set[int] | None:
    """A whole phrase that ends the description (a relative clause, a prepositional phrase...) to cut: the
    smallest that brings it within budget, else the largest. Whole phrases keep what is left grammatical."""
    if not words:
        return None
    kept, last = set(words), words[-1]
    phrases = [{t.i for t in doc[i].subtree} & kept for i in words if doc[i].dep_ in TRIMMABLE and doc[i] not in chain]
    ending = sorted((p for p in phrases if max(p) == last), key=len)
    if not ending:
        return max(phrases, key=max, default=None)
    enough = [p for p in ending if _word_count(doc, [i for i in words if i not in p]) <= budget]
    return enough[0] if enough else ending[-1]


def _word_count(doc: Doc, words: list[int]) -> int:
    return sum(1 for i in words if not doc[i].is_punct)


def _is_quote(token: Token) -> bool:
    return token.is_quote and token.text not in ("(", ")") or token.text in ("“", "”", "‘") or token.is_space


def _join(doc: Doc, indices: Iterable[int]) -> str:
    """Tokens back into text: the original spacing between neighbours, one space across a gap."""
    text, previous = "", None
    for i in indices:
        token = doc[i]
        if previous is not None:
            attached = token.text in (",", ".", ";", ":", "?", "!", "%") or token.text.startswith(("’", "'"))
            text += doc[previous].whitespace_ if i == previous + 1 else "" if attached else " "
        text += token.text
        previous = i
    return " ".join(text.split())


def _within(span: Span, sent: Span) -> Span:
    return span.doc[max(span.start, sent.start) : min(span.end, sent.end)]


def subject_span(subject: Token, action: FutureAction) -> Span:
    """The subject as a short phrase, even when the action hangs inside it ("with voting due to close")."""
    if subject.i in {t.i for t in action.top.subtree}:
        return compact_span(subject)
    return subject.doc[subject.left_edge.i : subject.i + 1]


def compact_span(token: Token) -> Span:
    """The token's phrase as one contiguous run, without trailing relative clauses, appositions or commas."""
    cut = {
        t.i
        for c in token.children
        if c.dep_ in ("relcl", "acl", "appos", "advcl", "parataxis", "cc", "conj") and c.i > token.i
        for t in c.subtree
    }
    inside = {t.i for t in token.subtree} - cut
    start = end = token.i
    while start - 1 in inside:
        start -= 1
    while end + 1 in inside:
        end += 1
    while end > token.i and (token.doc[end].is_punct or token.doc[end].is_space):
        end -= 1
    while start < token.i and (token.doc[start].is_punct or token.doc[start].is_space):
        start += 1
    return token.doc[start : end + 1]


# --- the actor ---


def _actor(action: FutureAction, resolve_actor: ActorResolver) -> str | None:
    """The first of: the passive's agent, the subject, the subject's possessor, the reporting speaker."""
    candidates: list[Token] = []
    agent = next((c for c in action.verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        candidates += [c for c in agent.children if c.dep_ == "pobj"]
    if action.kind == "direct":  # "ordered the NDCA to rehear …": the NDCA will act
        candidates += [c for c in action.verb.head.children if c.dep_ == "dobj"]
    subject = _subject(action.verb, action.top)
    if subject is not None:
        candidates.append(subject)
        candidates += [c for c in subject.children if c.dep_ == "poss"]
    if action.speaker is not None:
        candidates.append(action.speaker)
    for token in candidates:
        span = after_prefix(
            _within(subject_span(token, action) if token == subject else compact_span(token), action.sent)
        )
        name = resolve_actor(span) if len(span) else None
        if name:
            return name
    return None


# --- words ---


def _is(token: Token, words: set[str]) -> bool:
    """Whether the token is a form of one of the words: spaCy's lemma when there is one (it can be wrong:
    "hopes" -> "hop"), else a suffix-stripping guess good enough for the word lists here."""
    return bool({token.lemma_.lower(), guess_lemma(token.lower_)} & words)
