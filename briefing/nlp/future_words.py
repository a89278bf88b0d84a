"""Word lists for next-step detection: which verbs, modals and nouns make an
action future, committed or not an action at all; and a small lemma guesser for
tokens spaCy's lemmatiser leaves empty or gets wrong."""

from __future__ import annotations

import re

MAX_WORDS = 20
# Kinds that are future (or committed) only through a date of their own ("the vote takes place in June").
DATED_BY_TIME = {"present", "decide", "deadline", "must", "direct"}
# "He would attend the meeting" takes the date of a meeting announced at most this many sentences before.
EVENT_REFERENCE_WINDOW = 2
WILL = {"will", "shall", "'ll", "wo", "’ll"}  # spaCy splits "won't" into "wo" + "n't"
# An obligation is a next step when it has a date: "the council must set its budget by 11 March".
MUST = {"must"}
WOULD = {"would", "'d", "’d"}
MIGHT = {"could", "may", "might"}
# "is due to", "is set to", "voting due to close", "is expected to", "is going to".
SCHEDULE = {"due", "set", "scheduled", "slated", "poised", "expected", "going", "planned"}
# Passives that put an event on the calendar, even in the present perfect: "a hearing has been set for 14 January".
RESCHEDULE = {
    "set",
    "schedule",
    "plan",
    "fix",
    "arrange",
    "book",
    "postpone",
    "delay",
    "reschedule",
    "adjourn",
    "move",
    "expect",
}
INTEND = {"plan", "intend", "aim", "hope", "expect", "prepare"}  # present tense only: "planned to" may not happen
# What one waits for from someone else: "expected a reply within days", "awaits a ruling next month".
EXPECTED_EVENTS = {"reply", "response", "answer", "decision", "ruling", "judgment", "judgement", "result"}
# What an actor issues: doing so is an act ("will be making a detailed submission").
ISSUED_NOUNS = {
    "submission", "decision", "announcement", "statement", "offer", "bid", "proposal", "appeal", "application",
    "request", "recommendation", "response", "case", "claim",
}  # fmt: skip
# Readiness announced as a plan: "is prepared to nominate", "stands ready to lift", "remains willing to talk".
READY = {"prepared", "ready", "willing"}
COMMIT = {"promise", "pledge", "vow", "threaten", "undertake"}  # any tense: a commitment stands once made
DECIDE = {"vote", "agree", "decide", "resolve", "choose", "opt"}  # past decision, future action: needs a date
SPEECH = {
    "say",
    "tell",
    "add",
    "announce",
    "confirm",
    "warn",
    "insist",
    "promise",
    "pledge",
    "vow",
    "state",
    "indicate",
    "signal",
    "reveal",
    "write",
    "explain",
    "claim",
    "threaten",
    "disclose",
    "report",
}
# Verbs whose dates belong to what is demanded or hoped for, not to an action of the subject.
DEMAND = {
    "call",
    "urge",
    "demand",
    "seek",
    "want",
    "ask",
    "press",
    "need",
    "hope",
    "wish",
    "fear",
    "expect",
    "predict",
    "believe",
    "think",
    "accuse",
    "welcome",
    "argue",
    "mean",
}
# Effects and states, not actions: "the strike would hit shoppers", "it will help to ease".
NOT_ACTIONS = {
    "be",
    "have",
    "help",
    "make",
    "mean",
    "cost",
    "hurt",
    "harm",
    "affect",
    "bring",
    "cause",
    "lead",
    "result",
    "benefit",
    "ease",
    "improve",
    "increase",
    "reduce",
    "rise",
    "fall",
    "grow",
    "remain",
    "stay",
    "continue",
    "keep",
    "need",
    "depend",
    "include",
    "get",
    "become",
    "seem",
    "lie",
    "work",
    "do",
    "want",
    "like",
    "know",
    "suffer",
    "matter",
    "happen",
    "allow",
    "let",
    "see",
    "feel",
    "love",
    "put",
}
# Nouns that name someone who can act (people and institutions), for subjects without a name.
ACTOR_NOUNS = {
    "government",
    "city",  # "the city would reopen a hotline", "the state will ask for a remand": its government
    "state",
    "province",
    "minister",
    "secretary",
    "council",
    "councillor",
    "committee",
    "board",
    "body",
    "union",
    "company",
    "firm",
    "group",
    "campaign",
    "campaigner",
    "trust",
    "bank",
    "authority",
    "regulator",
    "court",
    "tribunal",
    "party",
    "department",
    "ministry",
    "agency",
    "commission",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "official",
    "police",
    "executive",
    "chair",
    "chairman",
    "chairwoman",
    "president",
    "leader",
    "director",
    "mayor",
    "mp",
    "team",
    "partnership",
    "alliance",
    "coalition",
    "organisation",
    "organization",
    "charity",
    "developer",
    "member",
    "worker",
    "employer",
    "administration",
    "cabinet",
    "parliament",
    "congress",
    "senate",
    "opposition",
    "prosecutor",
    "judge",
    "inspector",
    "negotiator",
    "governor",
    "officer",
    "federation",
    "association",
    "operator",
    "management",
    "lawmaker",
    "senator",
    "prime",
    "chancellor",
    "premier",
    "hospital",
    "school",
    "university",
    "college",
    "airline",
    "retailer",
    "insurer",
    "club",
    "manufacturer",
    "carmaker",
    "inquiry",
    "panel",
}
# Dates that are simply the present: with a present tense they describe what is happening, not what will.
NOW = re.compile(
    r"\b(?:today|tonight|now|currently)\b|^(?:(?:in|during|for|over)\s+)?this\s+"
    r"(?:week|month|year|morning|afternoon|evening|weekend|season|term|spring|summer|autumn|winter)$",
    re.I,
)
AGENT_PRONOUNS = {"i", "we", "you", "he", "she", "they", "it"}
ACTOR_ENTITIES = {"PERSON", "ORG", "NORP", "GPE"}
NEGATIVE_SUBJECTS = {"no", "nobody", "none", "nothing", "neither"}
# Tokens left out of an action's description: clauses of their own, framing and punctuation.
NOT_DESCRIBED = {"conj", "cc", "parataxis", "mark", "punct", "intj", "dep", "meta", "preconj", "csubj", "expl"}
RELATIVE_TAGS = {"WDT", "WP", "WP$", "WRB"}
TRIMMABLE = {"prep", "acl", "relcl", "appos", "advmod", "npadvmod", "agent"}  # modifiers, never complements
IRREGULAR = {
    "said": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "is": "be",
    "are": "be",
    "am": "be",
    "was": "be",
    "were": "be",
    "been": "be",
    "being": "be",
    "has": "have",
    "had": "have",
    "going": "go",
    "made": "make",
    "meant": "mean",
    "held": "hold",
    "brought": "bring",
    "led": "lead",
    "kept": "keep",
    "got": "get",
    "became": "become",
    "chose": "choose",
    "undertook": "undertake",
    "rose": "rise",
    "fell": "fall",
    "grew": "grow",
    "knew": "know",
    "did": "do",
    "does": "do",
    "saw": "see",
    "felt": "feel",
    "thought": "think",
    "sought": "seek",
    "people": "person",
}


def guess_lemma(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + replacement
            for candidate in (stem, stem + "e", stem[:-1]):
                if candidate in _KNOWN_LEMMAS:
                    return candidate
    return word


_KNOWN_LEMMAS = (
    SCHEDULE
    | RESCHEDULE
    | INTEND
    | COMMIT
    | DECIDE
    | SPEECH
    | DEMAND
    | NOT_ACTIONS
    | ACTOR_NOUNS
    | set(IRREGULAR.values())
)
