"""The hybrid search as a LangChain `BaseRetriever`, and our embedders as LangChain `Embeddings`."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from .embeddings import Embedder

# every embedder has embed_documents / embed_query; registered here so that importing the
# retriever (every command) does not import LangChain
Embeddings.register(Embedder)


class NotesRetriever(BaseRetriever):
    """Wraps a `Searcher` (or anything with `.search(query, mode, k)`)."""

    searcher: Any
    k: int = 5
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.searcher.search(query, mode=self.mode, k=self.k)
        return [Document(page_content=h.text,
                         metadata={"source": h.source, "heading": h.heading, "lines": list(h.lines),
                                   "score": h.score, "rank": h.rank})
                for h in hits]
