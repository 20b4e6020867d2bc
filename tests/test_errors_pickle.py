"""Every WckgError crosses a process boundary whole (query and network workers send them back)."""
from __future__ import annotations

import pickle

from graph import errors as E
from graph.network import UnknownFocus


def _subclasses(cls: type) -> list[type]:
    out = []
    for c in cls.__subclasses__():
        out += [c, *_subclasses(c)]
    return out


def test_every_error_class_pickles_with_its_message_hint_and_fields():
    samples = [E.ParameterError("focus", "missing", hint="give one"), E.UnknownQuery("cq9", ["cq7"]),
               E.NetworkBusy("busy", retry_after=7, stopped=True), E.QueryResourceLimit("big", limit="2048 MB"),
               E.InputError("bad", location=E.Location("a.ttl", 3)), UnknownFocus("nobody", [("UNDP", "urn:x")]),
               E.QueryTimeout("slow", hint="narrow it")]
    classes = {type(s) for s in samples}
    for s in samples:
        back = pickle.loads(pickle.dumps(s))
        assert type(back) is type(s) and str(back) == str(s) and vars(back) == vars(s)
    # the classes that take only a message round-trip too
    for cls in _subclasses(E.WckgError):
        if cls in classes:
            continue
        try:
            e = cls("a message", hint="a hint")
        except TypeError:
            continue  # a constructor of its own, covered by the samples or not raised in workers
        back = pickle.loads(pickle.dumps(e))
        assert str(back) == str(e) and back.hint == "a hint"
