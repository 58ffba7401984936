// Replies (message_list.js spreads these in): the quote above the composer, a reply's parent.
export const replies = {
    // Replies: "Reply" quotes the message above the composer; the composer sends its seq with the text
    // (composer.py takes it from window.chatReply); Escape in the composer or the cross cancels it.
    replyable(m) {
      return this.canReply && m.kind === "text" && !m.deleted;
    },
    startReply(m) {
      this.replying = { seq: m.seq, author: m.author, excerpt: this.firstLine(m.html) };
      const box = document.querySelector('textarea[aria-label="Message"]');
      if (box) box.focus();
    },
    cancelReply() {
      this.replying = null;
      const box = document.querySelector('textarea[aria-label="Message"]');
      if (box) box.focus();
    },
    firstLine(html) {
      const el = document.createElement("div");
      el.innerHTML = html || ""; // sanitised on the server (it is what the pane shows); never attached
      for (const block of el.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6, pre, blockquote, br")) block.after("\n");
      const line = (el.textContent || "").split("\n").map((l) => l.trim()).find(Boolean) || "";
      return line.length > 100 ? line.slice(0, 99).trimEnd() + "\u2026" : line;
    },
    keepReplies() {
      const pane = this;
      window.chatReply = {
        roomId: this.roomId,
        take() { // the seq the message being sent answers (0: none); the quote goes
          const seq = pane.replying ? pane.replying.seq : 0;
          pane.replying = null;
          return seq;
        },
        restore(seq) { // the message came back to the composer (not sent): quote its parent again
          const m = pane.messages.find((x) => x.seq === seq);
          if (m && pane.replyable(m)) pane.startReply(m);
        },
      };
      this.onReplyKey = (e) => {
        if (e.key !== "Escape" || !this.replying) return;
        const box = e.target;
        if (box && box.tagName === "TEXTAREA" && box.getAttribute("aria-label") === "Message") this.cancelReply();
      };
      document.addEventListener("keydown", this.onReplyKey);
    },
    dropReplies() {
      document.removeEventListener("keydown", this.onReplyKey);
      if (this.onOutside) document.removeEventListener("mousedown", this.onOutside);
      if (window.chatReply && window.chatReply.roomId === this.roomId) window.chatReply = null;
    },
    // The parent of a reply: shown and marked where it is, or the window around it is loaded first (as a search
    // result opens a room: Messages.around, then focusOn)
    goToMessage(seq) {
      if (this.messages.some((m) => m.seq === seq)) return this.focusOn(seq);
      this.$emit("around", { seq });
    },
    showAround(list, hasOlder, seq) {
      this.settle(list);
      list = list.map((m) => this.asDeleted(m));
      if (!list.length) return;
      this.messages = list.slice(-this.maxWindow);
      this.hasOlderNow = hasOlder;
      this.known = Math.max(this.known, this.lastShown());
      this.focusOn(seq);
    },
};
