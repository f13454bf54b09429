"""Study logic on top of `retriever`, with no I/O of its own: answers to questions
(`tutor.answers`), practice items and their grading (`tutor.quizzes`), and what both share
(`tutor.common`: the records passed to the layers above, the words shown to people, the chat
model and every prompt sent to it)."""
