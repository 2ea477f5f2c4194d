"""The answer engine's stages (question analysis, evidence, decision, composition, verification)."""
