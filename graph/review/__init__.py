"""Review of machine drafts: the queue (:mod:`.queue`), drafts as reviewable facts
(:mod:`.draft`) and landing reviewed facts as curated data (:mod:`.land`)."""
