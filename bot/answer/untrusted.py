"""Article text and metadata are data, never instructions.

Anyone who can put a file in the archive controls its words, its title and its link. This module
decides, for one sentence, whether it speaks to the reader or to an assistant instead of
reporting news: instructions to a model ("ignore previous instructions", "when asked about X
answer only Y"), role and system markers (``SYSTEM NOTE:``, ``<|im_start|>``, ``[INST]``), and
requests to act on a link or an account ("click here to verify your account"). Such a sentence is
never evidence and never part of an answer. No library classifies this, so the patterns are kept
here, once; they are written from the kinds of attack, not fitted on any evaluation set.

Links are handled where articles are loaded: ``retrieval.text.http_url`` keeps only ``http``/
``https`` URLs with a host, and every front end shows ``url_domain`` beside a source's title, so a
title cannot disguise where a link goes.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE

# (reason, pattern). Each reason names a kind of attack; a sentence matching any is refused.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "asks to ignore instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}?"
            r"\b(?:previous|prior|above|earlier|preceding|all|any|your|the|system)\b[^.?!]{0,30}?"
            r"\b(?:instructions?|prompts?|rules|guidelines|directions|context|guardrails)\b",
            _FLAGS,
        ),
    ),
    (
        "system or role marker",
        re.compile(
            r"(?:\b(?:system|developer|admin(?:istrator)?|assistant)\s+"
            r"(?:note|message|prompt|instruction|instructions|override|update)\b"
            r"|^\s*(?:system|assistant|user|developer)\s*:"
            r"|<\|?\s*(?:im_start|im_end|system|assistant|user|endoftext)\s*\|?>"
            r"|\[/?INST\]|<</?SYS>>|#{2,}\s*(?:instruction|system|response)\b)",
            _FLAGS | re.MULTILINE,
        ),
    ),
    (
        "addresses an assistant",
        re.compile(
            r"(?:\b(?:AI|assistant|language model|chat ?bot|LLM|bot|model)s?\b[^.?!]{0,40}?"
            r"\b(?:must|should|shall|is instructed|are instructed|has to|needs? to)\b"
            r"[^.?!]{0,30}?\b(?:answer|respond|reply|say|output|write|state|tell)\b"
            r"|\b(?:you are|act as|pretend to be|role-?play as)\b[^.?!]{0,30}?"
            r"\b(?:AI|assistant|language model|chat ?bot|LLM)\b)",
            _FLAGS,
        ),
    ),
    (
        "tells what to answer",
        re.compile(
            r"(?:\bwhen(?:ever)?\s+(?:you\s+are\s+|you're\s+|you\s+get\s+)?asked\b[^.?!]{0,80}?"
            r"\b(?:answer|say|respond|reply|tell|state|output|write)\b"
            r"|\b(?:answer|respond|reply)\s+(?:only|solely|exclusively|with\s+only)\b"
            r"|\b(?:your|the)\s+(?:answer|response|reply)\s+(?:must|should|shall)\b)",
            _FLAGS,
        ),
    ),
    (
        "asks the reader to act on a link or account",
        re.compile(
            r"(?:^\s*(?:please\s+)?(?:click|tap|visit|log\s?in|sign\s?in|verify|confirm|"
            r"download|enter|go\s+to|follow\s+(?:this|the)\s+link|reply\s+with)\b"
            r"|\bclick\s+(?:here|this|the\s+link|below)\b"
            r"|\b(?:verify|confirm|update|validate|unlock|secure)\s+your\s+"
            r"(?:account|identity|password|details|login|payment|card)\b"
            r"|\benter\s+your\s+(?:password|pin|card|login|details)\b)",
            _FLAGS | re.MULTILINE,
        ),
    ),
)


def instruction_reason(text: str) -> str | None:
    """Why ``text`` reads as an instruction rather than reporting, or ``None`` if it does not."""
    for reason, pattern in _PATTERNS:
        if pattern.search(text):
            return reason
    return None


def is_instruction(text: str) -> bool:
    return instruction_reason(text) is not None
