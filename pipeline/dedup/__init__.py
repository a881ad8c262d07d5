"""Find the same question across and within sources: concepts and intent block candidates, the leftover verifies."""

from pipeline.dedup.group import Index, Related, item_keys
from pipeline.dedup.index import cluster
from pipeline.dedup.keys import Key, make_key
from pipeline.dedup.verify import MergeRule, Verdict, WhyNot, same_question, similarity, verify

__all__ = ["Index", "Key", "MergeRule", "Related", "Verdict", "WhyNot", "cluster", "item_keys", "make_key",
           "same_question", "similarity", "verify"]
