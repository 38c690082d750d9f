"""Conversation context: emotion, dialogue acts and states, sentiment, entities, topics and suggestions."""
