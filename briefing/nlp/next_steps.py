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

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ActorResolver = Callable[["Span"], "str | None"]

MAX_WORDS = 20
WILL = {"will", "shall", "'ll", "wo", "’ll"}  # spaCy splits "won't" into "wo" + "n't"
WOULD = {"would", "'d", "’d"}
MIGHT = {"could", "may", "might"}
# "is due to", "is set to", "voting due to close", "is expected to", "is going to", "is about to".
SCHEDULE = {"due", "set", "scheduled", "slated", "poised", "expected", "going", "planned"}
INTEND = {"plan", "intend", "aim", "hope", "expect", "prepare"}  # present tense only: "planned to" may not happen
COMMIT = {"promise", "pledge", "vow", "threaten", "undertake"}  # any tense: a commitment stands once made
DECIDE = {"vote", "agree", "decide", "resolve", "choose", "opt"}  # past decision, future action: needs a date
SPEECH = {"say", "tell", "add", "announce", "confirm", "warn", "insist", "promise", "pledge", "vow", "state",
          "indicate", "signal", "reveal", "write", "explain", "claim", "threaten", "disclose", "report"}  # fmt: skip
# Verbs whose dates belong to what is demanded or hoped for, not to an action of the subject.
DEMAND = {"call", "urge", "demand", "seek", "want", "ask", "press", "push", "need", "hope", "wish", "fear",
          "expect", "predict", "believe", "think", "accuse", "welcome", "argue", "mean"}  # fmt: skip
# Effects and states, not actions: "the strike would hit shoppers", "it will help to ease".
NOT_ACTIONS = {"be", "have", "help", "make", "mean", "cost", "hit", "hurt", "harm", "affect", "protect", "bring",
               "cause", "lead", "result", "benefit", "ease", "improve", "increase", "reduce", "rise", "fall", "grow",
               "remain", "stay", "continue", "keep", "need", "depend", "include", "get", "become", "seem", "lie",
               "work", "do", "want", "like", "know", "suffer", "withstand", "solve", "risk", "deter", "matter",
               "happen", "allow", "let", "see", "feel", "love", "push", "put", "open"}  # fmt: skip
# Nouns that name someone who can act (people and institutions), for subjects without a name.
ACTOR_NOUNS = {"government", "minister", "secretary", "council", "councillor", "committee", "board", "body",
               "union", "company", "firm", "group", "campaign", "campaigner", "trust", "bank", "authority",
               "regulator", "court", "tribunal", "party", "department", "ministry", "agency", "commission",
               "spokesperson", "spokesman", "spokeswoman", "official", "police", "executive", "chair", "chairman",
               "chairwoman", "president", "leader", "director", "mayor", "mp", "team", "partnership", "alliance",
               "coalition", "organisation", "organization", "charity", "developer", "member", "worker", "employer",
               "administration", "cabinet", "parliament", "congress", "senate", "opposition", "prosecutor", "judge",
               "inspector", "negotiator", "governor", "officer", "federation", "association", "operator",
               "management", "lawmaker", "senator", "prime", "chancellor", "premier"}  # fmt: skip
AGENT_PRONOUNS = {"i", "we", "you", "he", "she", "they", "it"}
ACTOR_ENTITIES = {"PERSON", "ORG", "NORP", "GPE"}
NEGATIVE_SUBJECTS = {"no", "nobody", "none", "nothing", "neither"}
# Tokens left out of an action's description: clauses of their own, framing and punctuation.
NOT_DESCRIBED = {"conj", "cc", "parataxis", "mark", "punct", "intj", "dep", "meta", "preconj", "csubj", "expl"}
TRIMMABLE = {"prep", "acl", "relcl", "appos", "advmod", "npadvmod", "ccomp", "xcomp", "oprd", "agent"}
IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "written": "write", "is": "be", "are": "be",
             "am": "be", "was": "be", "were": "be", "been": "be", "being": "be", "has": "have", "had": "have",
             "going": "go", "made": "make", "meant": "mean", "held": "hold", "brought": "bring", "led": "lead",
             "kept": "keep", "got": "get", "became": "become", "chose": "choose", "undertook": "undertake",
             "rose": "rise", "fell": "fall", "grew": "grow", "knew": "know", "did": "do", "does": "do",
             "saw": "see", "felt": "feel", "thought": "think", "sought": "seek", "people": "person"}  # fmt: skip


@dataclass(frozen=True)
class FutureAction:
    verb: Token  # the action: "write", "hold", "close", "approved"
    top: Token  # where its tense, subject and negation live: the verb, "plans", "is" (of "is due to")
    kind: str  # will | would | might | schedule | intend | commit | expect | decide | is-to | deadline | present
    time: TimeExpression | None
    speaker: Token | None  # the X of "X said ..." or "according to X"


def find_next_steps(doc: Doc, anchor: dt.date | None, resolve_actor: ActorResolver) -> list[NextStep]:
    """One NextStep per announced future action in the article, in text order, without duplicates."""
    steps: list[NextStep] = []
    seen: set[tuple[str, str]] = set()
    for sent in sentence_units(doc):
        evidence = sent.text.strip()
        for action in future_actions(sent, anchor):
            when = action.time.text if action.time else None
            step = NextStep(
                text=describe(action),
                evidence=evidence,
                when=when,
                date=resolve_date(when, anchor) if when else None,
                actor=_actor(action, resolve_actor),
            )
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
    anchors = {t.i for a in found for t in (a.verb, a.top)}
    return [a for a in found if not _subordinate(a, anchors - {a.verb.i, a.top.i})]


# --- recognising a future action ---


def _future_action(verb: Token, sent: Span, expressions: list[TimeExpression]) -> FutureAction | None:
    if verb.dep_ in ("aux", "auxpass"):
        return None
    governor = _infinitive_governor(verb, sent)
    top = _finite_top(verb, governor)
    modal = _modal(verb) or (_modal(governor) if governor is not None else None)
    kind = _kind(verb, governor, modal)
    if kind is None or _negated(verb, governor, top):
        return None
    speaker = _speaker(top, sent)
    if modal == "would" and speaker is None:
        return None  # outside reported speech "would" is a hypothetical
    # A decision's own date is the past ("agreed on Thursday to set up a fund"): only the verb's date counts.
    hosts = {verb, *_complements(verb)} if kind == "decide" else {verb, top, *([governor] if governor else []),
                                                                   *_complements(verb)}
    near = next((e for e in expressions if _attached(e, hosts)), None)
    if modal == "might" or kind in ("present", "is-to", "decide", "deadline"):
        # Only a date makes these future (or committed), and it must hang off the verb itself.
        if near is None or not _is_action_verb(verb, near) or not _plausible(kind, verb, near):
            return None
        if kind == "deadline" and not near.text.lower().startswith(("until", "till")):
            return None
        return FutureAction(verb, top, kind, near, speaker)
    time = near or _first_in_clause(verb, top, expressions)
    action = FutureAction(verb, top, kind, time, speaker)
    if kind == "expect":  # "she expected the review body to publish ... by the end of the month"
        return action if time is not None and _agentive(_own_subject(verb)) else None
    subject = _subject(verb, top)
    if kind in ("intend", "commit") and not _agentive(subject):
        return None  # people and institutions plan; "the fund would aim to raise $2bn" is a target
    if not _is_action_verb(verb, time):
        return None
    if time is not None or kind in ("schedule", "intend", "commit"):
        return action
    # Undated: only an actor's own commitment to act ("he would attend the meeting"), never a conditional.
    return action if _agentive(subject) and _active_or_agent(verb) and not _conditional(verb, top) else None


def _kind(verb: Token, governor: Token | None, modal: str | None) -> str | None:
    if governor is not None:
        word = governor.lower_
        if word == "due" or word == "going" and _present(governor) or word in SCHEDULE and _passive(governor):
            return "schedule"
        if _is(governor, INTEND) and (_present(governor) or modal):
            return "intend"
        if _is(governor, COMMIT):
            return "commit"
        if _is(governor, {"expect"}) and _own_subject(verb) is not None:
            return "expect"
        if _is(governor, DECIDE):
            return "decide"
        if _is(governor, {"be"}) and governor.tag_ in ("VBZ", "VBP"):
            return "is-to"
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


def _governs_infinitive(verb: Token) -> bool:
    marker_words = SCHEDULE | INTEND | COMMIT | DECIDE | {"be", "have", "expect"}
    return _is(verb, marker_words) and any(
        c.dep_ in ("xcomp", "ccomp") and any(a.lower_ == "to" for a in c.children) for c in verb.children
    )


def _complements(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ == "acomp"]  # "due" of "the decision is due on 3 March"


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
    if token.tag_ == "VBN":  # "is expected"; "has crossed" is a past event
        return any(c.tag_ in ("VBZ", "VBP") and c.dep_ == "auxpass" for c in aux)
    return False


def _passive(token: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in token.children) or token.dep_ == "acl" and token.tag_ == "VBN"


def _active_or_agent(verb: Token) -> bool:
    return not _passive(verb) or any(c.dep_ == "agent" for c in verb.children)


def _negated(*tokens: Token | None) -> bool:
    for token in tokens:
        if token is None:
            continue
        if any(c.dep_ == "neg" or c.lower_ in ("never", "no longer") for c in token.children):
            return True
        subject = _own_subject(token)
        if subject is not None and (subject.lower_ in NEGATIVE_SUBJECTS or
                                    any(c.lower_ in NEGATIVE_SUBJECTS for c in subject.children)):
            return True
    return False


def _own_subject(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _subject(verb: Token, top: Token) -> Token | None:
    """The grammatical subject, following infinitives and conjuncts up to the clause that has one."""
    token: Token | None = verb
    while token is not None:
        subject = _own_subject(token) or (_own_subject(top) if token == verb and top != verb else None)
        if subject is not None:
            if subject.tag_ == "WDT" or subject.lower_ in ("who", "which", "that"):
                return _antecedent(subject)
            return subject
        if token.pos_ == "ADJ" and token.head.pos_ in ("NOUN", "PROPN", "VERB"):
            return token.head  # "with voting due to close"
        token = token.head if token.dep_ in ("xcomp", "conj", "acomp", "advcl", "pcomp") and token.head != token \
            else None
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


def _is_action_verb(verb: Token, time: TimeExpression | None) -> bool:
    if _is(verb, {"be"}):
        return time is not None  # "the vote is on Tuesday": a copula only schedules with a date
    return not _is(verb, NOT_ACTIONS)


def _plausible(kind: str, verb: Token, time: TimeExpression) -> bool:
    if kind != "present":
        return True
    # A present tense dated in the future is a schedule ("the strike begins on Monday"), unless the verb only
    # reports or demands ("is calling for a cut by the summer") or the date is just the present ("today").
    if _is(verb, SPEECH | DEMAND) and not _passive(verb):
        return False
    return not re.search(r"\b(?:today|tonight|now|this|current|currently)\b", time.text, re.I)


def _conditional(verb: Token, top: Token) -> bool:
    return any(c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children)
               for t in (verb, top) for c in t.children)  # fmt: skip


def _speaker(top: Token, sent: Span) -> Token | None:
    """Who reports the action: the subject of the speech verb whose complement it is, or "according to X"."""
    clause = top
    while clause.dep_ in ("conj", "xcomp") and clause.head != clause:
        clause = clause.head
    if clause.dep_ in ("ccomp", "parataxis") and _is(clause.head, SPEECH):
        return _own_subject(clause.head) or _own_subject(clause)
    if any(c.dep_ in ("ccomp", "parataxis") and _is(c, SPEECH) for c in clause.children):
        speech = next(c for c in clause.children if c.dep_ in ("ccomp", "parataxis") and _is(c, SPEECH))
        return _own_subject(speech)  # "She will meet them on 11 May, a spokesperson confirmed."
    for token in sent:
        if token.lower_ == "according" and token.i + 2 < sent.end and sent.doc[token.i + 1].lower_ == "to":
            return next((c for c in sent.doc[token.i + 1].children if c.dep_ == "pobj"), None)
    return None


# --- time expressions ---


def _looks_forward(expression: TimeExpression, anchor: dt.date | None) -> bool:
    if expression.looks_back:
        return False
    if anchor is None:
        return True
    years = [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", expression.text)]
    if any(year < anchor.year for year in years):
        return False
    date = resolve_date(expression.text, anchor)
    return date is None or date >= anchor


def _attached(expression: TimeExpression, tokens: set[Token]) -> bool:
    return any(governor in tokens for governor in expression.governors)


def _first_in_clause(verb: Token, top: Token, expressions: list[TimeExpression]) -> TimeExpression | None:
    """For a firmly future verb, the first date anywhere in its clause ("at the summit, which takes place in
    June"), skipping its subject and any coordinated clause with a future of its own."""
    excluded = set()
    for token in (verb, top):
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass") or child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
                excluded.update(t.i for t in child.subtree)
    clause = {t.i for t in top.subtree} - excluded
    return next((e for e in expressions if all(t.i in clause for t in e.span)), None)


def _subordinate(action: FutureAction, others: set[int]) -> bool:
    """Whether the action sits inside another action's clause other than as a coordinated clause."""
    token, coordinated = action.top, True
    while token.head != token:
        coordinated = coordinated and token.dep_ == "conj"
        token = token.head
        if token.i in others:
            return not coordinated
    return False


# --- describing it ---


def describe(action: FutureAction) -> str:
    """A short description from the sentence's own words: subject, marker and verb phrase, without the date
    ("French Prime Minister Jean Castex would write to Boris Johnson with proposals for a balanced agreement")."""
    doc = action.top.doc
    subject = _own_subject(action.top) or _subject(action.verb, action.top)
    chain = _chain(action)
    keep = {t.i for t in action.top.subtree} | {t.i for t in action.verb.subtree}
    drop = {t.i for t in subject.subtree} if subject is not None else set()
    if action.time is not None and action.kind != "deadline":  # "has until 10 July to ..." needs its date
        drop |= _time_and_its_clause(action.time, chain)
    for token in chain:
        for child in token.children:
            if child not in chain and _left_out(child, action):
                drop.update(t.i for t in child.subtree)
    words = sorted(i for i in keep - drop if not _is_quote(doc[i]))
    while len(words) > MAX_WORDS and (cut := _last_trimmable(action, words, chain)):
        words = [i for i in words if i not in cut]
    lead = compact_text(subject) if subject is not None else ""
    return " ".join(part for part in (lead, _join(doc, words[:MAX_WORDS])) if part).strip(" ,;:-–")


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
    return any(t.tag_ in ("WDT", "WP", "WP$", "WRB") for t in child.subtree) and child.dep_ == "prep"


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


def _last_trimmable(action: FutureAction, words: list[int], chain: set[Token]) -> set[int] | None:
    doc, kept = action.top.doc, set(words)
    candidates = [doc[i] for i in words if doc[i].dep_ in TRIMMABLE and doc[i] not in chain]
    if not candidates:
        return None
    last = max(candidates, key=lambda t: t.i)
    return {t.i for t in last.subtree} & kept


def _is_quote(token: Token) -> bool:
    return token.is_quote or token.text in ("“", "”", "‘", "’", "(", ")") or token.is_space


def _join(doc: Doc, indices: Iterable[int]) -> str:
    parts: list[str] = []
    previous = None
    for i in indices:
        if parts and previous is not None and (i != previous + 1 or not doc[previous].whitespace_):
            parts.append("" if i == previous + 1 else " ")
        elif parts:
            parts.append(" ")
        parts.append(doc[i].text)
        previous = i
    return " ".join("".join(parts).split())


def compact_text(token: Token) -> str:
    """A subject without its relative clauses and appositions: "Chris Holden", not "Chris Holden, who chairs..."."""
    return compact_span(token).text


def compact_span(token: Token) -> Span:
    """The token's phrase as one contiguous run, without trailing relative clauses, appositions or commas."""
    cut = {t.i for c in token.children if c.dep_ in ("relcl", "acl", "appos", "advcl", "parataxis", "cc", "conj")
           and c.i > token.i for t in c.subtree}  # fmt: skip
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
    subject = _subject(action.verb, action.top)
    if subject is not None:
        candidates.append(subject)
        candidates += [c for c in subject.children if c.dep_ == "poss"]
    if action.speaker is not None:
        candidates.append(action.speaker)
    for token in candidates:
        name = resolve_actor(compact_span(token))
        if name:
            return name
    return None


# --- words ---


def _is(token: Token, words: set[str]) -> bool:
    """Whether the token is a form of one of the words: spaCy's lemma when there is one (it can be wrong:
    "hopes" -> "hop"), else a suffix-stripping guess good enough for the word lists here."""
    return bool({token.lemma_.lower(), _guess_lemma(token.lower_)} & words)


def _guess_lemma(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + replacement
            for candidate in (stem, stem + "e", stem[:-1]):
                if candidate in _KNOWN_LEMMAS:
                    return candidate
    return word


_KNOWN_LEMMAS = (SCHEDULE | INTEND | COMMIT | DECIDE | SPEECH | DEMAND | NOT_ACTIONS | ACTOR_NOUNS
                 | set(IRREGULAR.values()))  # fmt: skip
