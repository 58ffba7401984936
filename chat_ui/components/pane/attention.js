// The pane's attention (message_list.js spreads these in): the unread divider, read reports, "Seen by", mentions.
export const attentionComputed = {
    // seq -> "alice, bob": each reader under the newest shown message they have read (the viewer left out)
    seenBy() {
      const out = {};
      if (!this.messages.length) return out;
      const first = this.messages[0].seq;
      for (const [id, [name, seq]] of Object.entries(this.readers)) {
        if (Number(id) === this.viewerId || seq < first) continue;
        let at = 0;
        for (const m of this.messages) {
          if (m.seq > seq) break;
          at = m.seq;
        }
        if (at) (out[at] = out[at] || []).push(name);
      }
      for (const seq of Object.keys(out)) out[seq] = out[seq].sort().join(", ");
      return out;
    },
};

export const attention = {
    // Attention. "New messages" before the first message of someone else's past the viewer's read position.
    markUnread(list) {
      if (this.lastRead < 0) return;
      const first = list.find((m) => m.seq > this.lastRead && m.author_id !== this.viewerId && m.kind === "text");
      this.dividerSeq = first ? first.seq : 0;
    },
    // the page opens at the first unread message (near the top), unless that is on screen with the newest anyway
    startAtUnread() {
      this.detached = this.lastShown() < this.known;
      this.$nextTick(() => {
        const list = this.$refs.scroller;
        const el = list && list.querySelector('[data-testid="unread-divider"]');
        if (!el) return;
        list.scrollTop += el.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
        this.maybeRead();
      });
    },
    // The viewer has read the room when the newest message is on screen in a visible, focused page: the server
    // hears the newest seq, at most once a second (the last one of a burst included).
    maybeRead() {
      if (this.lastRead < 0 || !this.ready || this.detached || !this.messages.length) return;
      if (document.visibilityState !== "visible" || !document.hasFocus() || !this.nearBottom()) return;
      const seq = this.lastShown();
      if (seq <= (this.readSent || this.lastRead)) return;
      const wait = (this.readAt || 0) + 1000 - Date.now();
      if (wait > 0) {
        if (!this.readTimer) this.readTimer = setTimeout(() => ((this.readTimer = null), this.maybeRead()), wait);
        return;
      }
      this.readSent = seq;
      this.readAt = Date.now();
      this.$emit("read", { seq });
    },
    setReceipts(list) {
      const readers = {};
      for (const [id, name, seq] of list || []) readers[id] = [name, seq];
      this.readers = readers;
    },
    moveReaders(list) {
      if (!this.receipts) return; // the viewer sends no receipts: they see nobody's
      const readers = { ...this.readers };
      for (const [id, name, seq] of list || []) {
        if (!readers[id] || readers[id][1] < seq) readers[id] = [name, seq];
      }
      this.readers = readers;
    },
    // posting reads one's own message (the server moves the author's position with the post): a reader's receipt
    // follows their new message at once, as after a reload
    authorRead(m) {
      const reader = this.readers[m.author_id];
      if (!this.receipts || !reader || reader[1] >= m.seq || m.kind !== "text") return;
      this.readers = { ...this.readers, [m.author_id]: [reader[0], m.seq] };
    },
    // our renderer's mention spans only (markdown-it escapes every quote a person types)
    mentionsMe(m) {
      if (!m.html || m.author_id === this.viewerId) return false;
      return m.html.includes(`data-user="${this.viewerName}"`) || m.html.includes('data-user="room"');
    },
};
