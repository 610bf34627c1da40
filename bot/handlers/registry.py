"""The feature registry: each handler module declares a FEATURE; the router only looks things up.

A feature offers commands (bare-word payloads whose slash names, words, menu entry and help
line are texts in content/templates/<locale>/), typed button payloads, the typed answers it
waits for (conversation states), subscriptions to the lesson engine's events, and sample
values for its templates (rendered by `hocso content check`).
"""

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bot.handlers.context import Context
from bot.handlers.payloads import Payload

Run = Callable[[Context], Awaitable[None] | None]
# A button's handler: False when the press no longer applies (old, forged, not theirs).
Press = Callable[[Context, Any], Awaitable[bool]]
Typed = Callable[[Context, str, Mapping[str, Any]], Awaitable[None]]
Skipped = Callable[[Context, Mapping[str, Any]], Awaitable[None]]
Subscriber = Callable[[Any, Any], Awaitable[None]]
# Typed text that nothing else understood: True when the feature answered it.
Reader = Callable[[Context, str], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    """A screen or action reached by its bare payload, and by its slash names and words."""

    name: str
    run: Run
    escape: bool = False  # leaves a pending question unanswered ("menu" is nobody's name)
    # Only as a button of the last message with buttons, whose question it answers ("Bỏ qua",
    # "keep this name"): an old one, pressed later, would answer a question asked since.
    answers: bool = False


@dataclass(frozen=True)
class Waits:
    """Typed text that a feature waits for once it has asked (the learner's state)."""

    state: str
    typed: Typed
    skip: Skipped | None = None  # what the "Bỏ qua" button does; None: it may not be skipped
    yields_to_words: bool = False  # any known word, not only escapes, leaves the question
    # With yields_to_words, the commands whose words stay answers: "ok", "rồi" acknowledge a
    # question ("paste the message": the resident is about to), and its own words ask it again.
    keeps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reads:
    """A reader of the learner's own words: text that is no command, known word, number or
    awaited answer (a question, a pasted message). Readers are tried by `order`, lowest first;
    the first that answers wins, and the router says it did not understand when none does."""

    read: Reader
    order: int


@dataclass(frozen=True)
class Feature:
    """What one handler module offers."""

    commands: tuple[Command, ...] = ()
    reads: Reads | None = None
    buttons: Mapping[type[Payload], Press] = field(default_factory=dict)
    waits: tuple[Waits, ...] = ()
    events: Mapping[type, Subscriber] = field(default_factory=dict)
    samples: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class Registry:
    """Every feature's offers, by name, prefix, state and event."""

    def __init__(self, features: Mapping[str, Feature]) -> None:
        self.commands: dict[str, Command] = {}
        self.payloads: dict[str, list[tuple[type[Payload], Press]]] = {}
        self.waits: dict[str, Waits] = {}
        self.subscribers: dict[type, list[Subscriber]] = {}
        self.samples: dict[str, Mapping[str, Any]] = {}
        readers: list[Reads] = []
        for module, feature in features.items():
            for command in feature.commands:
                _add(self.commands, command.name, command, module)
            for kind, press in feature.buttons.items():
                self.payloads.setdefault(kind.prefix, []).append((kind, press))
            for waits in feature.waits:
                _add(self.waits, waits.state, waits, module)
            for event, subscriber in feature.events.items():
                self.subscribers.setdefault(event, []).append(subscriber)
            for key, values in feature.samples.items():
                _add(self.samples, key, values, module)
            if feature.reads is not None:
                readers.append(feature.reads)
        self.readers = [reads.read for reads in sorted(readers, key=lambda reads: reads.order)]

    def button(self, packed: str) -> tuple[Payload, Press] | None:
        """The typed payload a pressed button carries, with its handler; None if unknown."""
        for kind, press in self.payloads.get(packed.split(":", 1)[0], []):
            payload = kind.unpack(packed)
            if payload is not None:
                return payload, press
        return None

    def payload_classes(self) -> list[type[Payload]]:
        """Every registered payload class."""
        return [kind for pairs in self.payloads.values() for kind, _ in pairs]


def _add(into: dict[str, Any], key: str, value: Any, module: str) -> None:
    if key in into:
        raise ValueError(f"{module}: '{key}' is declared twice")
    into[key] = value


@cache
def registry() -> Registry:
    """Every FEATURE in bot.handlers, in module-name order (which is subscribers' order)."""
    import bot.handlers as package

    features = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"bot.handlers.{info.name}")
        feature = getattr(module, "FEATURE", None)
        if isinstance(feature, Feature):
            features[info.name] = feature
    return Registry(features)
