""" "Did you mean" never offers the id typed; a model listed elsewhere says how to reach it
(issue 11, item 21)."""

from __future__ import annotations

import pytest

import pyllm
from pyllm import Model
from pyllm._catalog.index import Catalog
from pyllm.registry import resolve

CATALOG = Catalog(
    [
        Model("mistral-large-2411", "mistral"),
        Model("mistral-large-2512", "mistral"),
        Model("mistralai/mistral-large-2512", "openrouter"),
        Model("gpt-legacy-1", "openai"),
        Model("claude-x-1-20250101", "anthropic"),
        Model("claude-x-1-20250101", "bedrock"),
        Model("anthropic/claude-x-1", "openrouter"),
    ],
    {"claude-x-1": {"anthropic": "claude-x-1-20250101", "openrouter": "anthropic/claude-x-1"}},
)
BUILTIN = ("openrouter", "openai")


def fails(name: str, provider: str | None, configured: tuple[str, ...]) -> pyllm.ModelNotFoundError:
    with pytest.raises(pyllm.ModelNotFoundError) as caught:
        resolve(name, provider, configured=configured, catalog=lambda: CATALOG, builtin=BUILTIN)
    return caught.value


def test_the_id_typed_is_never_suggested() -> None:
    error = fails("mistral-large-2411", None, ("openrouter",))
    assert "mistral-large-2411" not in error.suggestions
    assert "did you mean 'mistral-large-2411'" not in str(error)
    assert error.suggestions[0] == "mistral-large-2512"


def test_a_provider_pyllm_does_not_ship_is_named_with_how_to_add_it() -> None:
    message = str(fails("mistral-large-2411", None, ("openrouter",)))
    assert message.startswith("'mistral-large-2411' is not available from openrouter: ")
    assert "mistral lists it, but pyllm has no built-in mistral provider" in message
    assert "register_provider(OpenAICompatible('mistral'" in message


def test_a_builtin_provider_without_a_key_names_its_variable() -> None:
    message = str(fails("gpt-legacy-1", None, ("openrouter",)))
    assert "openai lists it: set OPENAI_API_KEY to use it" in message


def test_the_openrouter_id_is_given_when_openrouter_has_it() -> None:
    keyless = str(fails("claude-x-1-20250101", "openai", ("openai",)))
    assert "openrouter calls it 'anthropic/claude-x-1': set OPENROUTER_API_KEY" in keyless
    assert "anthropic, bedrock list it" in keyless
    keyed = str(fails("claude-x-1-20250101", "openai", ("openai", "openrouter")))
    assert "openrouter calls it 'anthropic/claude-x-1' (provider='openrouter')" in keyed


def test_a_name_nobody_lists_keeps_the_plain_message() -> None:
    error = fails("mistral-larg", None, ("openrouter",))
    assert str(error).startswith("unknown model 'mistral-larg'; did you mean 'mistral-large-")


def test_the_issue_example_with_the_bundled_registry() -> None:
    client = pyllm.Client(openrouter_api_key="sk-or-test")
    with pytest.raises(pyllm.ModelNotFoundError) as caught:
        client.chat("mistral-large-2411")
    assert "mistral-large-2411" not in caught.value.suggestions
    assert "mistral lists it: set MISTRAL_API_KEY to use it" in str(caught.value)  # a preset
    with pytest.raises(pyllm.ModelNotFoundError) as unshipped:
        client.chat("c4ai-aya-expanse-32b")
    assert "pyllm has no built-in cohere provider" in str(unshipped.value)
    with pytest.raises(pyllm.ModelNotFoundError) as found:
        client.models.find("claude-haiku-4-5-20251001", "openai")
    assert "openrouter calls it 'anthropic/claude-haiku-4.5'" in str(found.value)
