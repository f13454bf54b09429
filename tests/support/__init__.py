"""Helpers shared by the test lanes (not tests themselves): the fake embedder, services that
skip or fail, the throwaway PostgreSQL server, learning-record fixtures, index builders."""
