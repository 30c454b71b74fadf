"""A chat's options on the page: who answers, how many passages are read, how strictly
citations are checked, and which documents are searched. Kept with each saved conversation
(`Conversation.options`) and turned into `Assistant.stream` arguments here."""

from __future__ import annotations

from collections.abc import Sequence

from assistant import Assistant, QuestionError

# What each answerer is called on the page, and what makes it available when it is not.
ANSWERER_LABELS = {
    "extractive": "Quotes (extractive)",
    "llamacpp": "Local LLM (llamacpp)",
    "openai": "OpenAI-compatible server",
}
UNAVAILABLE_HINTS = {
    "llamacpp": "The local LLM needs its model: run `make model` (or set llm.model_path), then restart.",
    "openai": "Set llm.base_url to an OpenAI-compatible server (or answer.answerer=openai), then restart.",
}
# Citation strictness -> (expectations, min_support); None keeps the configured value.
STRICTNESS = {
    "Strict": (True, 0.45),
    "Standard": (None, None),
    "Lenient": (False, 0.15),
}
DEFAULT_STRICTNESS = "Standard"


def defaults(assistant: Assistant) -> dict:
    """The options of a new chat: the configured answerer and k, standard strictness, every document."""
    return {
        "answerer": assistant.answerer_name,
        "k": assistant.settings.retrieval.k,
        "strictness": DEFAULT_STRICTNESS,
        "documents": [],
    }


def answerer_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """Every answerer as (label, name); one this machine cannot run says so in its label."""
    available = set(assistant.answerers)
    return [
        (ANSWERER_LABELS[name] + ("" if name in available else " — unavailable"), name)
        for name in ANSWERER_LABELS
    ]


def unavailable(assistant: Assistant) -> list[str]:
    """The answerers this machine cannot run, in the page's order."""
    available = set(assistant.answerers)
    return [name for name in ANSWERER_LABELS if name not in available]


def answerer_info(assistant: Assistant) -> str:
    """The line under the answerer selector: how to enable what is greyed out."""
    hints = [UNAVAILABLE_HINTS[name] for name in unavailable(assistant)]
    return " ".join(hints) or "Every answerer is available on this machine."


def scope_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """What a chat can be asked within: each document by title, then folders and header
    fields (outlets, authors, months) where the corpus has them."""
    documents = [(f"{doc.title or short_source(doc.source)} ({short_source(doc.source)})", doc.doc_id) for doc in assistant.documents()]
    return documents + [(selector, selector) for selector in assistant.scopes()]


def short_source(source: str) -> str:
    """A document's file as shown on the page: the name, never the server's absolute path
    (a mail's message keeps its `#part`)."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def normalised(options: dict | None, assistant: Assistant) -> dict:
    """Saved or submitted options, completed with the defaults, unknown keys dropped."""
    result = defaults(assistant)
    result.update({key: value for key, value in (options or {}).items() if key in result and value is not None})
    if result["strictness"] not in STRICTNESS:
        result["strictness"] = DEFAULT_STRICTNESS
    result["documents"] = list(result["documents"] or [])
    return result


def ask_arguments(options: dict, assistant: Assistant) -> dict:
    """The `Assistant.stream` keyword arguments for these options. `QuestionError` for an
    answerer this machine cannot run, saying how to enable it."""
    options = normalised(options, assistant)
    answerer = options["answerer"]
    if answerer not in assistant.answerers:
        hint = UNAVAILABLE_HINTS.get(answerer, "Choose another answerer.")
        raise QuestionError(f"{ANSWERER_LABELS.get(answerer, answerer)} is not available here. {hint}")
    expectations, min_support = STRICTNESS[options["strictness"]]
    return {
        "answerer": answerer,
        "k": int(options["k"]),
        "expectations": expectations,
        "min_support": min_support,
        "documents": options["documents"] or None,
    }


def from_inputs(answerer: str | None, k: float | None, strictness: str | None, documents: Sequence[str] | None) -> dict:
    """The options as the page's selectors hold them (None: the default)."""
    return {
        "answerer": answerer, "k": None if k is None else int(k), "strictness": strictness,
        "documents": list(documents or []),
    }
