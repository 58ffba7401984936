// The left drawer (room_list.py): the server's HTML, as NiceGUI's ui.html shows it, plus what keeps a person's
// attention: the unread and mention badges of each conversation, the tab title "(N) ..." and browser notifications.
// The counts are the server's (the `state` prop, `setState` after a reconnect, `chat:attn` when a read position
// moved anywhere); between those, each new message adds itself: `chat:activity` for the conversations in the drawer,
// `chat:msg` for the one this page shows. Nothing here is a server-side update per page.
const SHOWN = 999;

export default {
  template: `<component :is="tag"></component>`,
  props: {
    innerHTML: String,
    sanitize: Boolean,
    tag: String,
    viewerId: Number,
    activeRoomId: Number,
    state: Object, // room id -> [last read seq, unread, mentions, muted, the room's newest seq counted]
  },
  data() {
    return { previousInnerHTML: null };
  },
  created() {
    this.counts = {}; // room id -> {last, unread, mentions, muted, extra: Map(seq -> mentioned)}
    this.early = {}; // room id -> messages heard before the conversation's counts (addState)
    this.setState(this.state || {});
  },
  mounted() {
    this.renderContent();
    this.onActivity = (data) => {
      for (const m of Array.isArray(data) ? data : [data]) this.arrived(m);
    };
    this.onAttn = (list) => {
      for (const s of Array.isArray(list) ? list : [list]) this.moved(s);
      this.show();
    };
    const attach = () => {
      if (!window.socket) return setTimeout(attach, 10);
      this.socket = window.socket;
      this.socket.on("chat:activity", this.onActivity);
      this.socket.on("chat:msg", this.onActivity);
      this.socket.on("chat:attn", this.onAttn);
    };
    attach();
    // permission for notifications is asked after a click or a key, never on load
    this.askPermission = () => {
      document.removeEventListener("pointerdown", this.askPermission, true);
      document.removeEventListener("keydown", this.askPermission, true);
      if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    };
    document.addEventListener("pointerdown", this.askPermission, true);
    document.addEventListener("keydown", this.askPermission, true);
  },
  updated() {
    this.renderContent();
  },
  unmounted() {
    if (this.socket) {
      this.socket.off("chat:activity", this.onActivity);
      this.socket.off("chat:msg", this.onActivity);
      this.socket.off("chat:attn", this.onAttn);
    }
    document.removeEventListener("pointerdown", this.askPermission, true);
    document.removeEventListener("keydown", this.askPermission, true);
  },
  methods: {
    renderContent() {
      if (this.innerHTML !== this.previousInnerHTML) {
        if (this.sanitize && this.$el.setHTML) this.$el.setHTML(this.innerHTML);
        else this.$el.innerHTML = this.innerHTML;
        this.previousInnerHTML = this.innerHTML;
      }
      this.show();
    },
    // one conversation's counts from the server's [last, unread, mentions, muted, top]; top: what the server counted
    // reaches that far (summaries of those messages may still arrive)
    count(s) {
      return { last: s[0], unread: s[1], mentions: s[2], muted: !!s[3], top: s[4] || 0, extra: new Map() };
    },
    // the server's counts (with the page, after a reconnect): what was added since is in them
    setState(state) {
      const counts = {};
      for (const [id, s] of Object.entries(state || {})) {
        counts[id] = this.count(s);
      }
      this.counts = counts;
      if (this.$el) this.show();
    },
    // conversations the drawer lists since the page opened (a new DM, an invitation): the server's counts for them;
    // the others keep theirs (a count read before a later read would take the badge back)
    addState(state) {
      for (const [id, s] of Object.entries(state || {})) {
        if (this.counts[id]) continue;
        this.counts[id] = this.count(s);
        const early = this.early[id] || []; // heard before its counts came: each counts once, past what they reach
        delete this.early[id];
        early.forEach((m) => this.arrived(m));
      }
      this.show();
    },
    // a read position moved (in any of the user's tabs or devices) or a mute changed: the server's counts for it,
    // which reach the room's message `top`; what this page heard of past that stays counted on top of them
    moved(s) {
      const c = this.counts[s.room_id];
      if (!c) return;
      if (typeof s.muted === "boolean") c.muted = s.muted;
      if (typeof s.seq !== "number") return;
      c.last = Math.max(c.last, s.seq);
      const top = typeof s.top === "number" ? Math.max(s.top, s.seq) : c.last;
      for (const seq of [...c.extra.keys()]) if (seq <= top) c.extra.delete(seq);
      c.top = Math.max(c.top, top);
      const extra = [...c.extra.values()];
      c.unread = s.unread + extra.length;
      c.mentions = s.mentions + extra.filter(Boolean).length;
    },
    viewing(roomId) {
      return roomId === this.activeRoomId && document.visibilityState === "visible" && document.hasFocus();
    },
    // a new message in one of the drawer's conversations (or in the one shown)
    arrived(m) {
      if (!m || (m.kind && m.kind !== "text") || m.author_id === this.viewerId) return;
      const c = this.counts[m.room_id];
      if (!c) {
        const early = (this.early[m.room_id] = this.early[m.room_id] || []);
        if (early.length < 1000) early.push(m); // a conversation just listed: its counts are on their way
        return;
      }
      if (m.seq <= c.last || m.seq <= c.top || c.extra.has(m.seq)) return;
      const mentioned = Array.isArray(m.mentions) && m.mentions.includes(this.viewerId);
      if (!this.viewing(m.room_id)) {
        c.extra.set(m.seq, mentioned);
        c.unread += 1;
        if (mentioned) c.mentions += 1;
        this.show();
      }
      const link = this.link(m.room_id);
      const direct = !!(link && link.querySelector(".chat-dm-name"));
      if (!c.muted && (direct || mentioned) && (document.visibilityState !== "visible" || m.room_id !== this.activeRoomId)) {
        this.notify(m, link, direct);
      }
    },
    link(roomId) {
      return this.$el && this.$el.querySelector(`a.chat-room[data-room="${roomId}"]`);
    },
    notify(m, link, direct) {
      if (!("Notification" in window) || Notification.permission !== "granted") return;
      const nameEl = link && link.querySelector(".chat-room-name, .chat-dm-name");
      const where = nameEl ? (direct ? nameEl.textContent : "#" + nameEl.textContent) : "";
      let text = m.text;
      if (typeof text !== "string") {
        const div = document.createElement("div");
        div.innerHTML = m.html || "";
        text = div.textContent || "";
      }
      try {
        const n = new Notification(direct ? `${m.author}` : `${m.author} in ${where}`, {
          body: (direct && where !== m.author ? `${where}: ` : "") + text.slice(0, 200),
          tag: `chat-room-${m.room_id}`,
        });
        n.onclick = () => {
          window.focus();
          n.close();
          if (m.room_id !== this.activeRoomId) window.location.assign(`/room/${m.room_id}`);
        };
      } catch (e) {
        // some browsers construct notifications only from a service worker: the badge still shows
      }
    },
    // badges on the links and the tab title, from the counts
    show() {
      if (!this.$el || !this.$el.querySelectorAll) return;
      let total = 0;
      for (const a of this.$el.querySelectorAll("a.chat-room[data-room]")) {
        const c = this.counts[a.dataset.room];
        const unread = c && !c.muted ? c.unread : 0;
        const mentions = c ? c.mentions : 0;
        total += unread || mentions;
        a.dataset.unread = String(unread);
        a.dataset.mentions = String(mentions);
        if (c && c.muted) a.dataset.muted = "true";
        else delete a.dataset.muted;
        let badge = a.querySelector(".chat-badge");
        if (!unread && !mentions) {
          if (badge) badge.remove();
          continue;
        }
        if (!badge) {
          badge = document.createElement("span");
          a.appendChild(badge);
        }
        badge.className = "chat-badge" + (mentions ? " chat-badge-mention" : "");
        badge.textContent = unread ? (unread > SHOWN ? `${SHOWN}+` : String(unread)) : `@${mentions}`;
      }
      const base = document.title.replace(/^\(\d+\+?\) /, "");
      const title = total ? `(${total > SHOWN ? SHOWN + "+" : total}) ${base}` : base;
      if (document.title !== title) document.title = title;
    },
  },
};
