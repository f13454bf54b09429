"""What answers and quizzes share: records (`types`), words shown to people (`labels`), the
chat model (`llm`) and its prompts (`prompts`), a section's quotable lines (`lines`) and what
a question asks for (`question_type`)."""
