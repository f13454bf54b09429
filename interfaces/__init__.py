"""The ways people reach the study assistant: the command line and the web app.

Interfaces only translate (arguments or clicks → calls on the application layer → text or
components); they never import each other.
"""
