"""Study tutor on top of `retriever`: answers, quizzes, grading, export and the CLI."""
