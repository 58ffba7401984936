// The message pane (see DESIGN.md, "the hot path"); its attention, files, reactions and replies parts are in pane/
// (served as the ES modules "chat-pane/...": message_list.py registers the folder) and spread into it below.
// The server sends each message once per chat room over NiceGUI's own Socket.IO connection
// (event "chat:msg": one message, or a list of them when a burst was batched); this component appends
// it. History, older pages and catch-up after a gap come through NiceGUI events to Python and back
// through run_method.
// Invariants: messages are sorted by seq, unique by seq, and at most maxWindow are kept.
import { attention, attentionComputed } from "chat-pane/attention.js";
import { files } from "chat-pane/files.js";
import { reactions, reactionsComputed } from "chat-pane/reactions.js";
import { replies } from "chat-pane/replies.js";

export default {
  template: `
    <div ref="scroller" class="chat-list" role="log" aria-label="Conversation" @scroll.passive="onScroll">
      <div class="chat-list-top">
        <span v-if="loadingOlder">Loading older messages…</span>
        <span v-else-if="!hasOlderNow && ready">This is the start of the conversation.</span>
      </div>
      <template v-for="m in messages" :key="m.seq">
        <div v-if="m.seq === dividerSeq" class="chat-divider" data-testid="unread-divider" role="separator"
             aria-label="New messages"><span>New messages</span></div>
        <div v-if="m.kind !== 'text'" class="chat-notice" data-testid="message" :data-seq="m.seq" :data-kind="m.kind">
          <span>{{ m.body }}</span> <time class="chat-time" :datetime="m.time">{{ clock(m.time) }}</time>
          <div v-if="seenBy[m.seq]" class="chat-seen" data-testid="seen-by">Seen by {{ seenBy[m.seq] }}</div>
        </div>
        <div v-else class="chat-msg" data-testid="message" :data-seq="m.seq" data-kind="text" :data-author="m.author"
             :class="{ 'chat-mentioned': mentionsMe(m) }"
             :data-deleted="m.deleted ? 'true' : null" :data-edited="m.edited && !m.deleted ? 'true' : null">
          <div class="chat-avatar" :style="{ background: color(m.author) }" aria-hidden="true">{{ initials(m.author) }}</div>
          <div class="chat-main">
            <div class="chat-meta">
              <span class="chat-author">{{ m.author }}</span>
              <time class="chat-time" :datetime="m.time" :title="m.time">{{ clock(m.time) }}</time>
              <span v-if="m.edited && !m.deleted" class="chat-edited">(edited)</span>
              <button v-if="replyable(m)" type="button" class="chat-reply" aria-label="Reply" title="Reply"
                      @click="startReply(m)"><span class="chat-icon" data-icon="reply" aria-hidden="true"></span></button>
              <button v-if="reactable(m)" type="button" class="chat-react" aria-label="React" title="React"
                      aria-haspopup="dialog" @click="openPicker(m.seq, $event)"><span class="chat-icon" data-icon="add_reaction" aria-hidden="true"></span></button>
              <button v-if="editable(m)" type="button" class="chat-edit" aria-label="Edit" title="Edit"
                      @click="askEdit(m.seq)"><span class="chat-icon" data-icon="edit" aria-hidden="true"></span></button>
              <button v-if="deletable(m)" type="button" class="chat-delete" aria-label="Delete" title="Delete"
                      @click="$emit('delete', { seq: m.seq })"><span class="chat-icon" data-icon="delete" aria-hidden="true"></span></button>
            </div>
            <button v-if="m.reply_to" type="button" class="chat-quote" data-testid="reply-parent"
                    :data-parent-seq="m.reply_to.seq" :title="'Show the message ' + m.reply_to.author + ' wrote'"
                    @click="goToMessage(m.reply_to.seq)">
              <span class="chat-quote-author">{{ m.reply_to.author }}</span>
              <span v-if="m.reply_to.deleted" class="chat-quote-text chat-deleted">message deleted</span>
              <span v-else class="chat-quote-text">{{ m.reply_to.excerpt }}</span>
            </button>
            <div v-if="m.deleted" class="chat-body chat-deleted">message deleted</div>
            <textarea v-else-if="editing && editing.seq === m.seq" ref="editor" v-model="editing.text"
                      class="chat-editor" aria-label="Edit message" rows="2"
                      @keydown.enter.exact.prevent="saveEdit" @keydown.esc.prevent="cancelEdit"></textarea>
            <div v-else class="chat-body" v-html="m.html"></div>
            <div v-if="m.attachment && !m.deleted" class="chat-file" :data-file="m.attachment.image ? 'image' : 'file'">
              <a v-if="m.attachment.image" :href="m.attachment.url" target="_blank" rel="noopener" :title="m.attachment.name"><img
                 :src="m.attachment.thumb" :alt="m.attachment.name" loading="lazy" v-bind="thumbSize(m.attachment)"></a>
              <template v-else><a class="chat-file-link" :href="m.attachment.url" :download="m.attachment.name">{{ m.attachment.name }}</a>
                <span class="chat-file-size">{{ fileSize(m.attachment.size) }}</span></template>
            </div>
            <div v-if="!m.deleted && m.reactions && m.reactions.length" class="chat-reactions">
              <button v-for="r in m.reactions" :key="r.emoji" type="button" class="chat-chip" data-testid="reaction"
                      :data-emoji="r.emoji" :data-mine="mine(r) ? 'true' : null" :aria-pressed="mine(r) ? 'true' : 'false'"
                      :title="who(r)" :disabled="!canReact" @click="react(m.seq, r.emoji)">{{ r.emoji }} {{ r.count }}</button>
            </div>
            <div v-if="seenBy[m.seq]" class="chat-seen" data-testid="seen-by">Seen by {{ seenBy[m.seq] }}</div>
          </div>
        </div>
      </template>
      <button v-if="detached" class="chat-jump" type="button" @click="jumpToLatest">Jump to latest messages</button>
      <div v-if="replying" class="chat-replying" data-testid="replying" role="status">
        <span class="chat-replying-text">Replying to <b>{{ replying.author }}</b>: {{ replying.excerpt }}</span>
        <button type="button" class="chat-replying-cancel" aria-label="Cancel reply" title="Cancel reply (Escape)"
                @click="cancelReply"><span class="chat-icon" data-icon="close" aria-hidden="true"></span></button>
      </div>
      <div v-if="picker" ref="picker" class="chat-picker" role="dialog" aria-label="Pick a reaction"
           :style="{ top: picker.top + 'px', left: picker.left + 'px' }" @keydown.esc.stop.prevent="closePicker(true)">
        <input ref="pickerSearch" v-model="picker.query" type="search" class="chat-picker-search"
               aria-label="Search emoji" placeholder="Search emoji" @keydown.enter.prevent="pickFirst"
               @keydown.down.prevent="moveInPicker(-1, 0)">
        <div class="chat-picker-grid" @keydown="onPickerKey">
          <button v-for="e in pickerList" :key="e[0]" type="button" class="chat-picker-emoji" :data-emoji="e[0]"
                  :title="e[1]" :aria-label="e[1]" @click="pick(e[0])">{{ e[0] }}</button>
          <span v-if="!pickerList.length" class="chat-picker-none">{{ emojiData ? 'No emoji found' : 'Loading…' }}</span>
        </div>
      </div>
      <div v-if="reconnecting" class="chat-reconnecting" role="status" data-testid="reconnecting"
           style="position: sticky; bottom: 8px; width: fit-content; margin: 0 auto; padding: 2px 12px;
                  border-radius: 12px; background: #fef3c7; color: #92400e; font-size: 0.8rem;">Reconnecting…</div>
    </div>`,
  props: {
    roomId: Number,
    viewerId: Number,
    history: Array,
    hasOlder: Boolean,
    lastSeq: Number,
    maxWindow: { type: Number, default: 300 },
    deleteOwn: Boolean, // "Delete" on the viewer's own messages (services/policy.py: delete_own)
    deleteAny: Boolean, // and on everyone's (delete_other)
    editOwn: Boolean, // "Edit" on the viewer's own messages (edit_own; nobody edits anyone else's)
    focusSeq: { type: Number, default: 0 }, // opened at this message (a search result): show and mark it
    viewerName: String, // a message whose mentions name the viewer (or @room) is highlighted
    lastRead: { type: Number, default: -1 }, // the viewer's read position when the page was built (-1: not a member)
    receipts: { type: Array, default: null }, // [[user id, name, read seq], ...]; null: the viewer sees no receipts
    canReact: Boolean, // "React" and the chips toggle (services/policy.py: react)
    canReply: Boolean, // "Reply" (post)
  },
  data() {
    return {
      messages: [],
      ready: false,
      hasOlderNow: false,
      loadingOlder: false,
      detached: false, // the newest messages were trimmed to make room for older ones
      catchingUp: false,
      reconnecting: false, // a catch-up failed: retrying with backoff, live messages wait in pending meanwhile
      retryDelay: 0, // seconds before the next retry: 1, 2, 4 ... 30
      known: 0, // the highest seq this page knows exists in the room
      pending: [], // live messages that arrived before history or during a catch-up
      checkDeleted: false, // the next catch-up also asks which shown messages were deleted (or edited) meanwhile
      editing: null, // {seq, text}: the message of the viewer's being edited in place
      loadingNewer: false, // a detached window asked for the page after its last message
      dividerSeq: 0, // "New messages" goes before this message: the first unread one when the page opened
      readers: {}, // user id -> [name, read seq]: who has read how far ("Seen by")
      replying: null, // {seq, author, excerpt}: the message the next one sent answers (shown above the composer)
      picker: null, // {seq, query, top, left}: the emoji picker, open for the message at seq
      emojiData: null, // [[emoji, names], ...] from /api/emoji.json (loaded once, cached by the browser)
    };
  },
  computed: {
    ...attentionComputed,
    ...reactionsComputed,
  },
  created() {
    this.deletedSeqs = new Set(); // deletions heard live, remembered: a read that raced one may bring the message back
    this.edits = new Map(); // seq -> {html, at} of edits heard live or in a catch-up, for the same reason
  },
  mounted() {
    this.keepOutbox();
    if (this.receipts) this.setReceipts(this.receipts);
    this.setHistory(this.history || [], this.hasOlder, this.lastSeq || 0);
    this.markUnread(this.history || []);
    if (this.focusSeq && this.history) this.focusOn(this.focusSeq);
    else if (this.dividerSeq) this.startAtUnread();
    this.onAttention = () => this.maybeRead();
    window.addEventListener("focus", this.onAttention);
    document.addEventListener("visibilitychange", this.onAttention);
    // the server drops the history prop once the page has connected: a later remount fetches the latest
    if (!this.history && this.lastSeq) this.$emit("latest", {});
    // one message, or a list of them when the server batched a burst
    this.onLive = (data) => {
      for (const m of Array.isArray(data) ? data : [data]) {
        if (m.room_id !== this.roomId) continue;
        this.settle([m]);
        this.accept(this.asDeleted(m));
      }
    };
    // deletions come with the room's other live updates (chat:live, wire format); room_live.js ignores them
    this.onRoomEvents = (events) => {
      for (const e of Array.isArray(events) ? events : [events]) {
        if (e && e.type === "message.deleted" && e.v === 1 && e.room_id === this.roomId) this.markDeleted([e.seq]);
        if (e && e.type === "message.edited" && e.v === 1 && e.room_id === this.roomId) this.markEdited([e]);
        if (e && e.type === "room.receipts" && e.v === 1 && e.room_id === this.roomId) this.moveReaders(e.readers);
        if (e && e.type === "reaction.changed" && e.v === 1 && e.room_id === this.roomId) this.applyReaction(e);
      }
    };
    const attach = () => {
      if (!window.socket) return setTimeout(attach, 10);
      this.socket = window.socket;
      this.socket.on("chat:msg", this.onLive);
      this.socket.on("chat:live", this.onRoomEvents);
    };
    attach();
    this.keepDraft(this.outbox.unsent());
    // Up in an empty composer edits the viewer's last message
    this.onComposerKey = (e) => {
      if (e.key !== "ArrowUp" || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      const box = e.target;
      if (!box || box.tagName !== "TEXTAREA" || box.getAttribute("aria-label") !== "Message" || box.value) return;
      const mine = this.messages.filter((m) => this.editable(m));
      if (!mine.length) return;
      e.preventDefault();
      this.askEdit(mine[mine.length - 1].seq);
    };
    document.addEventListener("keydown", this.onComposerKey);
    this.keepReplies();
  },
  unmounted() {
    clearTimeout(this.readTimer);
    window.removeEventListener("focus", this.onAttention);
    document.removeEventListener("visibilitychange", this.onAttention);
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    if (this.socket) {
      this.socket.off("chat:msg", this.onLive);
      this.socket.off("chat:live", this.onRoomEvents);
    }
    window.removeEventListener("beforeunload", this.saveDraft);
    document.removeEventListener("input", this.onInput);
    document.removeEventListener("keydown", this.onComposerKey);
    this.dropReplies();
  },
  methods: {
    ...attention,
    ...files,
    ...reactions,
    ...replies,
    // What is typed in the composer survives a reload (e.g. NiceGUI reloading the page after a server
    // restart while a message waited to be sent): it is kept per room in this tab's sessionStorage.
    // Sent but not yet seen stored: the composer puts each message in this tab's outbox (sessionStorage)
    // before it emits it, with the client id it is posted under; a message of ours that comes back (live,
    // in history or in a catch-up) settles it. If the page dies first (its server was killed, say), the
    // reloaded page puts what never came back into the composer, under the same client id, so sending it
    // again can never store it twice.
    keepOutbox() {
      const key = `chat-outbox-${this.roomId}`;
      const load = () => {
        try {
          const list = JSON.parse(sessionStorage.getItem(key) || "[]");
          return Array.isArray(list) ? list : [];
        } catch (e) {
          return [];
        }
      };
      const save = (list) => (list.length ? sessionStorage.setItem(key, JSON.stringify(list)) : sessionStorage.removeItem(key));
      const fresh = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
      const resend = new Map(); // text given back to the composer -> the id it was first sent under
      this.outbox = window.chatOutbox = {
        add(text) {
          const cid = resend.get(text) || fresh();
          resend.delete(text);
          save(load().concat([{ cid, text }]));
          return cid;
        },
        drop(cids) {
          save(load().filter((e) => !cids.includes(e.cid)));
        },
        // the server refused it and gave the text back to the composer: a resend keeps the id
        giveBack(cid) {
          const entry = load().find((e) => e.cid === cid);
          if (entry) resend.set(entry.text, cid);
          this.drop([cid]);
        },
        // what an earlier page of this tab sent and never saw stored (call once, after the history settled)
        unsent() {
          const left = load();
          save([]);
          if (left.length === 1) resend.set(left[0].text, left[0].cid);
          return left.map((e) => e.text).join("\n\n"); // several: one message now, under a new id
        },
      };
    },
    settle(list) {
      const mine = list.filter((m) => m.author_id === this.viewerId && m.client_id).map((m) => m.client_id);
      if (mine.length) this.outbox.drop(mine);
    },
    keepDraft(unsent) {
      const key = `chat-draft-${this.roomId}`;
      const box = () => document.querySelector('textarea[aria-label="Message"]');
      this.saveDraft = () => {
        const el = box();
        if (el && el.value.trim()) sessionStorage.setItem(key, el.value);
        else if (el) sessionStorage.removeItem(key);
      };
      this.onInput = (e) => e.target === box() && this.saveDraft();
      window.addEventListener("beforeunload", this.saveDraft);
      document.addEventListener("input", this.onInput);
      const typed = sessionStorage.getItem(key);
      const draft = unsent && typed && typed !== unsent ? `${unsent}\n\n${typed}` : unsent || typed;
      let tries = 0;
      const restore = () => {
        const el = box();
        if (!el && tries++ < 100) return setTimeout(restore, 20);
        if (el && draft && !el.value) {
          el.value = draft;
          el.dispatchEvent(new Event("input", { bubbles: true })); // Vue and the server take it from here
        }
      };
      if (draft) restore();
    },
    lastShown() {
      return this.messages.length ? this.messages[this.messages.length - 1].seq : 0;
    },
    setHistory(list, hasOlder, lastSeq) {
      this.settle(list);
      list = list.map((m) => this.asDeleted(m));
      this.messages = list.slice(-this.maxWindow);
      this.hasOlderNow = hasOlder || list.length > this.messages.length;
      this.known = Math.max(lastSeq, this.lastShown());
      this.detached = false;
      this.ready = true;
      this.scrollToBottom();
    },
    accept(m) {
      if (!this.ready || this.catchingUp) return this.pending.push(m);
      if (m.seq <= this.known) return this.detached ? null : this.insert([m]);
      if (m.seq > this.known + 1) return this.requestCatchUp(m);
      this.known = m.seq;
      this.authorRead(m);
      if (!this.detached) this.append([m]);
    },
    // the server asks after every (re)connect: anything we may have missed comes back through catchUp
    sync() {
      this.checkDeleted = true; // deletions of what we show may have been missed while away
      if (this.catchingUp) return this.askCatchUp(); // a request or its answer may have died with the connection
      this.requestCatchUp(null);
    },
    requestCatchUp(m) {
      if (m) this.pending.push(m);
      if (this.catchingUp) return;
      this.catchingUp = true;
      this.askCatchUp();
    },
    askCatchUp() {
      clearTimeout(this.retryTimer);
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => this.catchUpFailed(), 20000); // no answer at all counts as a failure
      const ask = { after: this.known };
      if (this.checkDeleted && this.messages.length) ask.from = this.messages[0].seq;
      this.$emit("catchup", ask);
    },
    // The server could not answer (or never did): try again after 1, 2, 4 ... 30 s, showing it. Live messages
    // keep arriving into pending and are merged once a catch-up succeeds: a page recovers by itself.
    catchUpFailed() {
      clearTimeout(this.watchdog);
      this.reconnecting = true;
      this.retryDelay = Math.min(this.retryDelay ? this.retryDelay * 2 : 1, 30);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.askCatchUp(), this.retryDelay * 1000);
    },
    catchUp(list, more, deleted, edited) {
      clearTimeout(this.watchdog);
      clearTimeout(this.retryTimer); // a late answer to an earlier request does as well as the retry
      this.reconnecting = false;
      this.retryDelay = 0;
      this.checkDeleted = false;
      if (deleted) this.markDeleted(deleted);
      if (edited) this.markEdited(edited);
      this.settle(list);
      list = list.map((m) => this.asDeleted(m));
      for (const m of list) {
        if (m.seq > this.known) this.known = m.seq;
        this.authorRead(m);
      }
      if (!this.detached) this.insert(list);
      if (more) return this.askCatchUp();
      this.catchingUp = false;
      const pending = this.pending;
      this.pending = [];
      pending.forEach((m) => this.accept(m));
    },
    // merge messages in seq order, dropping ones we already show
    insert(list) {
      const have = new Set(this.messages.map((m) => m.seq));
      const fresh = list.filter((m) => !have.has(m.seq));
      if (!fresh.length) return;
      const last = this.lastShown();
      if (fresh.every((m) => m.seq > last)) return this.append(fresh.sort((a, b) => a.seq - b.seq));
      this.messages = this.messages.concat(fresh).sort((a, b) => a.seq - b.seq);
      this.trimOldest();
    },
    append(list) {
      const stick = this.nearBottom();
      this.messages.push(...list);
      this.trimOldest();
      if (stick) this.scrollToBottom();
      else this.maybeRead();
    },
    trimOldest() {
      const extra = this.messages.length - this.maxWindow;
      if (extra > 0) {
        this.messages.splice(0, extra);
        this.hasOlderNow = true;
      }
    },
    prependOlder(list, hasOlder) {
      this.loadingOlder = false;
      list = list.map((m) => this.asDeleted(m));
      const first = this.messages.length ? this.messages[0].seq : Infinity;
      const older = list.filter((m) => m.seq < first);
      this.hasOlderNow = hasOlder;
      if (!older.length) return;
      const el = this.$refs.scroller;
      const before = el.scrollHeight - el.scrollTop;
      this.messages = older.concat(this.messages);
      const extra = this.messages.length - this.maxWindow;
      if (extra > 0) {
        this.messages.splice(this.messages.length - extra, extra);
        this.detached = true;
      }
      this.$nextTick(() => (el.scrollTop = el.scrollHeight - before));
    },
    deletable(m) {
      return !m.deleted && (this.deleteAny || (this.deleteOwn && m.author_id === this.viewerId));
    },
    // a message as the latest deletion or edit heard of it says (a read may have raced them)
    asDeleted(m) {
      if (this.deletedSeqs.has(m.seq) && !m.deleted) return { ...m, deleted: true, html: "", body: "" };
      const heard = this.edits.get(m.seq);
      const older = heard && !m.deleted && !(m.edited_at && Date.parse(m.edited_at) >= heard.at);
      return older ? { ...m, html: heard.html, edited: true, edited_at: heard.time } : m;
    },
    editable(m) {
      return this.editOwn && m.kind === "text" && !m.deleted && m.author_id === this.viewerId;
    },
    // the new html of these messages (wire events or message payloads: seq, html, edited_at), marked edited; of two
    // versions of a message the later edit wins, whichever arrives last
    markEdited(list) {
      list.forEach((e) => {
        const at = Date.parse(e.edited_at);
        const known = this.edits.get(e.seq);
        if (known && known.at > at) return;
        this.edits.delete(e.seq); // set again: the newest heard last
        this.edits.set(e.seq, { html: e.html, at, time: e.edited_at });
      });
      while (this.edits.size > 2 * this.maxWindow) this.edits.delete(this.edits.keys().next().value); // the oldest heard
      const seqs = new Set(list.map((e) => e.seq));
      if (this.messages.some((m) => seqs.has(m.seq))) this.messages = this.messages.map((m) => this.asDeleted(m));
      this.pending = this.pending.map((m) => this.asDeleted(m));
    },
    // Edit: the server sends the message's text (its Markdown) back through startEdit
    askEdit(seq) {
      this.$emit("edit_start", { seq });
    },
    startEdit(seq, text) {
      this.editing = { seq, text };
      this.$nextTick(() => {
        const el = Array.isArray(this.$refs.editor) ? this.$refs.editor[0] : this.$refs.editor;
        if (!el) return;
        el.focus();
        el.setSelectionRange(el.value.length, el.value.length);
      });
    },
    saveEdit() {
      const { seq, text } = this.editing || {};
      this.cancelEdit();
      if (seq && text && text.trim()) this.$emit("edit", { seq, body: text });
    },
    cancelEdit() {
      this.editing = null;
      const box = document.querySelector('textarea[aria-label="Message"]');
      if (box) box.focus();
    },
    // "message deleted" in place of these messages, wherever they are shown or waiting
    markDeleted(seqs) {
      seqs.forEach((seq) => this.deletedSeqs.add(seq));
      if (this.deletedSeqs.size > 2 * this.maxWindow) {
        const keep = [...this.deletedSeqs].sort((a, b) => b - a).slice(0, this.maxWindow);
        this.deletedSeqs = new Set(keep); // the newest: older ones come back from the store as deleted anyway
      }
      const hit = (m) => this.deletedSeqs.has(m.seq) && !m.deleted;
      if (this.messages.some(hit)) this.messages = this.messages.map((m) => this.asDeleted(m));
      this.pending = this.pending.map((m) => this.asDeleted(m));
    },
    // The history is the window around message `seq` (/room/<id>?seq=N). When newer messages exist the window is
    // detached: live messages only move `known` on, and "Jump to latest messages" loads the newest. The mark is
    // set on the element itself, not in the template, and lasts a few seconds.
    focusOn(seq) {
      this.detached = this.lastShown() < this.known;
      this.$nextTick(() => {
        const list = this.$refs.scroller;
        const el = list && list.querySelector(`[data-seq="${seq}"]`);
        if (!el) return;
        // centred in the list (scrollIntoView would scroll the page around it too)
        const offset = el.getBoundingClientRect().top - list.getBoundingClientRect().top;
        list.scrollTop += offset - (list.clientHeight - el.offsetHeight) / 2;
        el.dataset.highlighted = "true";
        el.classList.add("chat-highlight");
        setTimeout(() => {
          delete el.dataset.highlighted;
          el.classList.remove("chat-highlight");
        }, 5000);
      });
    },
    appendNewer(list, more) {
      this.loadingNewer = false;
      this.settle(list);
      const last = this.lastShown();
      const newer = list.map((m) => this.asDeleted(m)).filter((m) => m.seq > last);
      const el = this.$refs.scroller;
      const before = el ? el.scrollHeight - el.scrollTop : 0;
      const firstBefore = this.messages.length ? this.messages[0].seq : 0;
      this.messages.push(...newer);
      this.trimOldest();
      for (const m of newer) if (m.seq > this.known) this.known = m.seq;
      if (!more && this.lastShown() >= this.known) this.detached = false; // the newest: live messages append again
      const trimmed = this.messages.length && this.messages[0].seq !== firstBefore;
      this.$nextTick(() => {
        if (el && trimmed) el.scrollTop = el.scrollHeight - before; // what was read stays in place
        this.maybeRead();
        requestAnimationFrame(() => this.maybeRead()); // once laid out: the newest may be on screen without a scroll
      });
    },
    jumpToLatest() {
      this.$emit("latest", {});
    },
    onScroll() {
      this.maybeRead();
      const el = this.$refs.scroller;
      // a window that ends before the newest message (opened at the first unread one, or at a search result):
      // scrolling to its end brings the next page, until it reaches the newest and live messages show again
      if (this.detached && !this.loadingNewer && this.messages.length && this.nearBottom()) {
        this.loadingNewer = true;
        this.$emit("newer", { after: this.lastShown() });
      }
      if (el.scrollTop < 80 && this.hasOlderNow && !this.loadingOlder && this.messages.length) {
        this.loadingOlder = true;
        this.$emit("older", { before: this.messages[0].seq });
      }
    },
    nearBottom() {
      const el = this.$refs.scroller;
      return !el || el.scrollHeight - el.scrollTop - el.clientHeight < 120;
    },
    scrollToBottom() {
      this.$nextTick(() => {
        const el = this.$refs.scroller;
        if (el) el.scrollTop = el.scrollHeight;
        this.maybeRead();
      });
    },
    clock(iso) {
      const d = new Date(iso);
      return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    },
    initials(name) {
      const parts = String(name).split(/[._-]+/).filter(Boolean);
      const s = parts.length > 1 ? parts[0][0] + parts[1][0] : String(name).slice(0, 2);
      return s.toUpperCase();
    },
    color(name) {
      let h = 0;
      for (const c of String(name)) h = (h * 31 + c.charCodeAt(0)) % 360;
      return `hsl(${h}, 55%, 45%)`;
    },
  },
};
