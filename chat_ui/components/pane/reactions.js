// Reactions (message_list.js spreads these in): the chips and the emoji picker.
const QUICK = ["\u{1F44D}", "\u2764\uFE0F", "\u{1F602}", "\u{1F389}", "\u{1F62E}", "\u{1F622}", "\u{1F64F}", "\u{1F440}"];
const PICKER_COLUMNS = 8;
let emojiLoad = null; // one fetch per page, whatever the number of panes

export const reactionsComputed = {
    // the picker's emoji: the usual few first, then every one whose names hold each word typed
    pickerList() {
      if (!this.picker || !this.emojiData) return [];
      const words = this.picker.query.toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) {
        const usual = QUICK.map((q) => this.emojiData.find((e) => e[0] === q)).filter(Boolean);
        return usual.concat(this.emojiData.filter((e) => !QUICK.includes(e[0])));
      }
      // the usual few first ("thumbs": 👍 before 👎), then names a typed word begins, then the rest, each in order
      const found = this.emojiData.filter((e) => words.every((w) => e[1].toLowerCase().includes(w)));
      const rank = (e) => {
        if (QUICK.includes(e[0])) return 0;
        const names = " " + e[1].toLowerCase();
        return words.every((w) => names.includes(" " + w)) ? 1 : 2;
      };
      return found.map((e, i) => [rank(e), i, e]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
    },
};

export const reactions = {
    // Reactions: chips under a message (emoji and count; mine look selected; the title says who), "React" opens
    // the picker. A click asks the server to toggle mine; every page of the room then hears reaction.changed.
    reactable(m) {
      return this.canReact && m.kind === "text" && !m.deleted;
    },
    mine(r) {
      return (r.user_ids || []).includes(this.viewerId);
    },
    who(r) {
      const names = r.names || [];
      const shown = names.slice(0, 20).join(", ");
      return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
    },
    react(seq, emoji) {
      if (this.canReact) this.$emit("react", { seq, emoji });
    },
    // one change heard live: add or take away that person in that emoji's chip, wherever the message is
    applyReaction(e) {
      const change = (m) => {
        if (m.seq !== e.seq || m.kind !== "text") return m;
        const list = (m.reactions || []).map((r) => ({ ...r, user_ids: [...r.user_ids], names: [...r.names] }));
        let r = list.find((x) => x.emoji === e.emoji);
        if (e.added && !r) list.push((r = { emoji: e.emoji, count: 0, user_ids: [], names: [] }));
        const at = r ? r.user_ids.indexOf(e.user_id) : -1;
        if (e.added && at < 0) {
          r.user_ids.push(e.user_id);
          r.names.push(e.username);
          r.count += 1;
        } else if (!e.added && at >= 0) {
          r.user_ids.splice(at, 1);
          r.names.splice(at, 1);
          r.count -= 1;
        }
        return { ...m, reactions: list.filter((x) => x.count > 0) };
      };
      if (this.messages.some((m) => m.seq === e.seq)) this.messages = this.messages.map(change);
      this.pending = this.pending.map(change);
    },
    // after a reconnect: the reactions now of the messages from `first` to `last` ([[seq, reactions], ...]; a
    // message left out has none)
    setReactions(pairs, first, last) {
      const now = new Map(pairs);
      this.messages = this.messages.map((m) =>
        m.kind === "text" && m.seq >= first && m.seq <= last ? { ...m, reactions: now.get(m.seq) || [] } : m);
    },
    openPicker(seq, event) {
      const button = event && event.currentTarget;
      const box = button ? button.getBoundingClientRect() : { bottom: 80, right: 320 };
      const width = 320, height = 320;
      const top = box.bottom + height + 8 > window.innerHeight ? Math.max(8, box.top - height - 4) : box.bottom + 4;
      const left = Math.max(8, Math.min(box.right - width, window.innerWidth - width - 8));
      this.pickerOpener = button;
      this.picker = { seq, query: "", top, left };
      this.loadEmoji();
      this.$nextTick(() => this.$refs.pickerSearch && this.$refs.pickerSearch.focus());
      if (!this.onOutside) {
        this.onOutside = (e) => this.picker && this.$refs.picker && !this.$refs.picker.contains(e.target) && this.closePicker(false);
        document.addEventListener("mousedown", this.onOutside);
      }
    },
    loadEmoji() {
      if (this.emojiData) return;
      if (!emojiLoad) {
        emojiLoad = fetch("/api/emoji.json", { credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
          .catch(() => {
            emojiLoad = null; // the next opening tries again
            return null;
          });
      }
      emojiLoad.then((data) => {
        if (Array.isArray(data)) this.emojiData = data;
      });
    },
    closePicker(refocus) {
      this.picker = null;
      if (this.onOutside) document.removeEventListener("mousedown", this.onOutside);
      this.onOutside = null;
      if (refocus && this.pickerOpener && this.pickerOpener.isConnected) this.pickerOpener.focus();
    },
    pick(emoji) {
      const seq = this.picker && this.picker.seq;
      this.closePicker(true);
      if (seq) this.react(seq, emoji);
    },
    pickFirst() {
      if (this.pickerList.length) this.pick(this.pickerList[0][0]);
    },
    // arrows move through the grid (Tab leaves it); Enter or Space picks the focused emoji (a button)
    onPickerKey(e) {
      const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: PICKER_COLUMNS, ArrowUp: -PICKER_COLUMNS };
      if (!(e.key in moves)) return;
      e.preventDefault();
      const buttons = [...this.$refs.picker.querySelectorAll(".chat-picker-emoji")];
      this.moveInPicker(buttons.indexOf(document.activeElement), moves[e.key]);
    },
    moveInPicker(from, by) {
      const buttons = this.$refs.picker ? [...this.$refs.picker.querySelectorAll(".chat-picker-emoji")] : [];
      if (!buttons.length) return;
      const to = from < 0 ? 0 : from + by;
      if (to < 0) return this.$refs.pickerSearch.focus();
      buttons[Math.min(to, buttons.length - 1)].focus();
    },
};
