"""Conversations kept for their reader: each question with its finished `Answer`, the chat's
options (answerer, k, strictness, scope), by owner (a login; "" without one).

They live in the index's database beside its records and catalog (a SQLite file in the data
dir by default), so they outlast a reload of the page and a restart of the server.
"""

from __future__ import annotations

import json
import time
import uuid

from pydantic import BaseModel, Field
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select, update
from sqlalchemy.engine import Engine

from assistant.answer import Answer

TITLE_CHARS = 80  # a chat's title: its first question, cut to this
_metadata = MetaData()
_chats = Table(
    "assistant_conversations",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("owner", String, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("options", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
_turns = Table(
    "assistant_conversation_turns",
    _metadata,
    Column("namespace", String, primary_key=True),
    Column("conversation", String, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("asked_at", Float, nullable=False),
)


class Turn(BaseModel):
    """One question of a conversation and its finished answer."""

    question: str
    answer: Answer
    asked_at: float = Field(description="Seconds since the epoch.")


class Conversation(BaseModel):
    """A saved conversation; `turns` is empty in a listing."""

    id: str
    owner: str = ""
    title: str
    options: dict = Field(default_factory=dict, description="The chat's answerer, k, strictness and scope.")
    created_at: float
    updated_at: float
    turns: list[Turn] = Field(default_factory=list)

    def history(self) -> list[dict]:
        """The turns as the messages `Assistant.ask` reads as history."""
        messages = []
        for turn in self.turns:
            messages += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer.text}]
        return messages


def title_of(question: str) -> str:
    """A chat's default title: its first question on one line, cut at a word."""
    title = " ".join(question.split())
    if len(title) <= TITLE_CHARS:
        return title
    return title[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


class Conversations:
    """The saved conversations of one collection; every call names the owner, and sees only
    that owner's conversations."""

    def __init__(self, engine: Engine, namespace: str) -> None:
        self.engine = engine
        self.namespace = namespace
        _metadata.create_all(engine)

    def list(self, owner: str = "") -> list[Conversation]:
        """The owner's conversations, the most recently continued first, without their turns."""
        query = self._chats(owner).order_by(_chats.c.updated_at.desc(), _chats.c.created_at.desc())
        with self.engine.connect() as connection:
            return [_conversation(row) for row in connection.execute(query).mappings()]

    def get(self, conversation_id: str, owner: str = "") -> Conversation | None:
        """One conversation with its turns, or None (unknown, or another owner's)."""
        with self.engine.connect() as connection:
            row = connection.execute(self._chats(owner).where(_chats.c.id == conversation_id)).mappings().first()
            if row is None:
                return None
            query = select(_turns).where(*self._turn_keys(conversation_id)).order_by(_turns.c.position)
            turns = [
                Turn(question=t["question"], answer=Answer.model_validate_json(t["answer"]), asked_at=t["asked_at"])
                for t in connection.execute(query).mappings()
            ]
        return _conversation(row).model_copy(update={"turns": turns})

    def start(self, question: str, owner: str = "", options: dict | None = None) -> Conversation:
        """A new, empty conversation titled by its first question."""
        now = time.time()
        chat = Conversation(
            id=uuid.uuid4().hex, owner=owner, title=title_of(question), options=options or {},
            created_at=now, updated_at=now,
        )
        row = {**chat.model_dump(exclude={"turns"}), "options": json.dumps(chat.options), "namespace": self.namespace}
        with self.engine.begin() as connection:
            connection.execute(_chats.insert().values(**row))
        return chat

    def add(self, conversation_id: str, question: str, answer: Answer, owner: str = "") -> bool:
        """Append a question and its answer; False when there is no such conversation."""
        now = time.time()
        with self.engine.begin() as connection:
            if not self._touch(connection, conversation_id, owner, updated_at=now):
                return False
            last = connection.execute(
                select(func.max(_turns.c.position)).where(*self._turn_keys(conversation_id))
            ).scalar()
            connection.execute(
                _turns.insert().values(
                    namespace=self.namespace, conversation=conversation_id, position=(last or 0) + 1,
                    question=question, answer=answer.model_dump_json(), asked_at=now,
                )
            )
        return True

    def rename(self, conversation_id: str, title: str, owner: str = "") -> bool:
        """Give a conversation another title (an empty one is refused: False)."""
        title = " ".join(title.split())[:200]
        if not title:
            return False
        with self.engine.begin() as connection:
            return self._touch(connection, conversation_id, owner, title=title)

    def set_options(self, conversation_id: str, options: dict, owner: str = "") -> bool:
        """Keep the chat's options (answerer, k, strictness, scope) with it."""
        with self.engine.begin() as connection:
            return self._touch(connection, conversation_id, owner, options=json.dumps(options))

    def delete(self, conversation_id: str, owner: str = "") -> bool:
        """Delete a conversation and its turns; False when there was none."""
        with self.engine.begin() as connection:
            gone = connection.execute(
                delete(_chats).where(*self._chat_keys(owner), _chats.c.id == conversation_id)
            ).rowcount
            if gone:
                connection.execute(delete(_turns).where(*self._turn_keys(conversation_id)))
        return bool(gone)

    def _chats(self, owner: str):
        return select(_chats).where(*self._chat_keys(owner))

    def _chat_keys(self, owner: str) -> tuple:
        return _chats.c.namespace == self.namespace, _chats.c.owner == owner

    def _turn_keys(self, conversation_id: str) -> tuple:
        return _turns.c.namespace == self.namespace, _turns.c.conversation == conversation_id

    def _touch(self, connection, conversation_id: str, owner: str, **values) -> bool:
        changed = connection.execute(
            update(_chats).where(*self._chat_keys(owner), _chats.c.id == conversation_id).values(**values)
        ).rowcount
        return bool(changed)


def _conversation(row) -> Conversation:
    return Conversation(
        id=row["id"], owner=row["owner"], title=row["title"], options=json.loads(row["options"] or "{}"),
        created_at=row["created_at"], updated_at=row["updated_at"],
    )
