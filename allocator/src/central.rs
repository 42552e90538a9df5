//! Central span lists (Go's `mcentral`): for one span class, the spans no cache owns.
//!
//! Four lists, as in Go: *partial* (has free slots) and *full*, each split into *swept* and
//! *unswept* for the current sweep cycle. Which of the two physical sets is "swept" flips with the
//! parity of the sweep generation, so starting a cycle turns every swept list into an unswept one
//! without touching a span. Spans know their list and position, so any span can be unlinked in O(1)
//! (swap-remove), which explicit frees need.
//!
//! One lock per span class keeps contention apart: threads allocating different sizes never meet.

use parking_lot::Mutex;
use std::sync::atomic::Ordering::Relaxed;

use crate::span::{LIST_NONE, Span, SpanRef};

/// The four list kinds, each with two physical sets selected by sweep-generation parity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ListKind {
    Partial,
    Full,
}

/// Physical list id for `kind` in the swept (`swept = true`) or unswept set at generation `sg`.
#[inline]
pub(crate) fn list_id(kind: ListKind, swept: bool, sg: u32) -> u8 {
    let parity = ((sg / 2) % 2) as u8 ^ (!swept) as u8;
    match kind {
        ListKind::Partial => parity,
        ListKind::Full => 2 + parity,
    }
}

#[derive(Default)]
pub(crate) struct Lists {
    sets: [Vec<SpanRef>; 4],
}

impl Lists {
    /// Appends `span` (which is in no list) to list `id`.
    pub(crate) fn push(&mut self, id: u8, span: SpanRef, s: &Span) {
        debug_assert_eq!(s.list.load(Relaxed), LIST_NONE);
        let set = &mut self.sets[id as usize];
        s.list.store(id, Relaxed);
        s.list_pos.store(set.len() as u32, Relaxed);
        set.push(span);
    }

    /// Removes and returns the last span of list `id`; `span_of` resolves the moved span.
    pub(crate) fn pop<'a>(
        &mut self,
        id: u8,
        span_of: impl Fn(SpanRef) -> &'a Span,
    ) -> Option<SpanRef> {
        let span = self.sets[id as usize].pop()?;
        span_of(span).list.store(LIST_NONE, Relaxed);
        Some(span)
    }

    /// Unlinks `span` from whichever list holds it.
    pub(crate) fn remove<'a>(
        &mut self,
        span: SpanRef,
        s: &Span,
        span_of: impl Fn(SpanRef) -> &'a Span,
    ) {
        let id = s.list.load(Relaxed);
        debug_assert!((id as usize) < self.sets.len(), "span is in no list");
        let pos = s.list_pos.load(Relaxed) as usize;
        let set = &mut self.sets[id as usize];
        debug_assert_eq!(set[pos], span);
        set.swap_remove(pos);
        if let Some(&moved) = set.get(pos) {
            span_of(moved).list_pos.store(pos as u32, Relaxed);
        }
        s.list.store(LIST_NONE, Relaxed);
    }

    /// Number of spans in list `id`.
    pub(crate) fn len(&self, id: u8) -> usize {
        self.sets[id as usize].len()
    }
}

/// The central lists of one span class.
#[derive(Default)]
pub(crate) struct Central {
    pub(crate) lists: Mutex<Lists>,
}
