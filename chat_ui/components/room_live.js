// The room's live chrome: heading, topic, member count, member panel and typing line (room_live.py).
// The server emits every room-wide change once per chat room as "chat:live": a list of wire-format events
// (services/wire.py: {v, type, ...fields}) plus "room.members" snapshots (chat_ui/bridge.py). Nothing here
// is a server-side element update. The root is the typing line; the header part and the member panel are
// teleported into the page's header row and right drawer.
const ORDER = { online: 0, away: 1, offline: 2 };
const SHOWN = 100;
const VERSIONS = { "room.updated": 2, "room.members": 2 }; // the others are at 1

export default {
  template: `
    <div class="chat-typing" data-testid="typing" aria-live="polite">{{ typingText }}<Teleport defer :to="header">
        <div class="column no-wrap min-w-0 grow">
          <div class="text-subtitle1 font-bold ellipsis" :class="{ 'chat-private': kind === 'private' }" role="heading"
               aria-level="1">{{ name }}</div>
          <div class="text-caption text-grey-7 ellipsis" data-testid="room-topic">{{ topicNow }}</div>
        </div>
        <q-btn v-if="can.includes('set_topic')" flat round dense size="sm" color="primary" icon="edit"
               aria-label="Edit topic" @click="$emit('edit_topic')"></q-btn>
        <q-btn v-if="can.includes('invite')" flat round dense color="primary" icon="person_add" aria-label="Invite"
               title="Invite" @click="$emit('invite')"></q-btn>
        <q-btn v-if="mutedNow !== null" flat round dense color="primary"
               :icon="mutedNow ? 'notifications_off' : 'notifications'"
               :aria-label="mutedNow ? 'Unmute conversation' : 'Mute conversation'"
               :title="mutedNow ? 'Muted: no unread count but mentions, no notifications' : 'Mute conversation'"
               :aria-pressed="mutedNow ? 'true' : 'false'" @click="$emit('mute', { muted: !mutedNow })"></q-btn>
        <q-btn flat dense no-caps color="primary" icon="group" :label="String(totalNow)" :aria-label="'Members: ' + totalNow"
               data-testid="member-count" @click="toggleMembers"></q-btn>
        <q-btn v-if="can.includes('join')" unelevated dense no-caps color="primary" label="Join"
               @click="$emit('join')"></q-btn>
        <q-btn v-if="can.includes('leave')" flat round dense color="primary" icon="exit_to_app" aria-label="Leave room"
               @click="$emit('leave')"></q-btn>
      </Teleport><Teleport defer :to="panel">
        <section class="w-full p-3" aria-label="Members">
          <h2 class="chat-side-title">Members ({{ totalNow }})</h2>
          <ul class="chat-members">
            <li v-for="m in shown" :key="m[0]" data-testid="member" :data-presence="m[2]" :data-user="m[1]"
                :data-role="m[3] || 'member'"><span class="chat-member-name">{{ m[1] }}</span><span
                v-if="m[3] === 'owner' || m[3] === 'moderator'" class="chat-role">{{ m[3] }}</span><button
                v-if="m[0] !== viewerId" type="button" class="chat-member-actions" :aria-label="'Actions for ' + m[1]"
                title="Message, roles, remove" @click="$emit('member', { username: m[1] })"><span
                class="chat-icon" data-icon="more_vert" aria-hidden="true"></span></button></li>
          </ul>
          <p v-if="totalNow > shown.length" class="chat-more">and {{ totalNow - shown.length }} more</p>
        </section>
      </Teleport><Teleport to="body">
        <ul v-if="completions.length" class="chat-complete" role="listbox" aria-label="Mention someone"
            :style="completeStyle" data-testid="mention-completion">
          <li v-for="(name, i) in completions" :key="name" role="option" :aria-selected="i === picked ? 'true' : 'false'"
              :class="{ active: i === picked }" @mousedown.prevent="complete(name)">@{{ name }}</li>
        </ul>
      </Teleport></div>`,
  props: {
    roomId: Number,
    viewerId: Number,
    name: String, // the room's name; a direct message's other people
    kind: String, // public, private, dm, group
    can: { type: Array, default: () => [] }, // what the viewer may do here (services/policy.py): which controls show
    topic: String,
    members: Array, // [[id, name, status, role], ...], online first; dropped on the server once the page connected
    total: Number,
    ttl: { type: Number, default: 5 },
    header: String, // CSS selectors of the teleport targets
    panel: String,
    drawer: Number, // the NiceGUI id of the right drawer, toggled by the member count
    muted: { type: Boolean, default: null }, // the viewer muted the conversation; null: not a member (no control)
  },
  data() {
    return {
      topicNow: this.topic,
      totalNow: this.total,
      list: this.members || [],
      mutedNow: this.muted,
      completions: [], // "@" in the composer: the members whose names start with what follows it
      picked: 0,
      completeStyle: {},
      typers: {}, // user id -> [name, expires at (ms)]
      now: Date.now(),
    };
  },
  computed: {
    // the viewer is online on their own page, whatever presence said when the list was read
    shown() {
      const list = this.list.map((m) => (m[0] === this.viewerId ? [m[0], m[1], "online", m[3]] : m));
      list.sort((a, b) => ORDER[a[2]] - ORDER[b[2]] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      return list.slice(0, SHOWN);
    },
    typingText() {
      const names = Object.values(this.typers)
        .filter((t) => t[1] > this.now)
        .map((t) => t[0])
        .sort();
      if (!names.length) return "";
      if (names.length === 1) return `${names[0]} is typing…`;
      if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
      return "several people are typing…";
    },
  },
  mounted() {
    if (!this.members) this.$emit("load", {}); // remounted after the server dropped the list
    this.onLive = (events) => {
      for (const e of Array.isArray(events) ? events : [events]) this.apply(e);
    };
    const attach = () => {
      if (!window.socket) return setTimeout(attach, 10);
      this.socket = window.socket;
      this.socket.on("chat:live", this.onLive);
      this.socket.on("chat:attn", this.onAttn);
    };
    this.onComposerInput = (e) => this.suggest(e.target);
    this.onComposerKey = (e) => this.completionKey(e);
    document.addEventListener("input", this.onComposerInput);
    document.addEventListener("keydown", this.onComposerKey, true); // before the composer's Enter sends
    document.addEventListener("click", this.onComposerInput);
    // the viewer's own changes (from any of their tabs): whether this conversation is muted
    this.onAttn = (list) => {
      for (const s of Array.isArray(list) ? list : [list]) {
        if (s && s.room_id === this.roomId && typeof s.muted === "boolean" && this.mutedNow !== null) this.mutedNow = s.muted;
      }
    };
    attach();
  },
  unmounted() {
    clearTimeout(this.expiry);
    document.removeEventListener("input", this.onComposerInput);
    document.removeEventListener("keydown", this.onComposerKey, true);
    document.removeEventListener("click", this.onComposerInput);
    if (this.socket) {
      this.socket.off("chat:live", this.onLive);
      this.socket.off("chat:attn", this.onAttn);
    }
  },
  methods: {
    apply(e) {
      // a version this page does not know: ignore (the next reload brings the new code)
      if (!e || e.v !== (VERSIONS[e.type] || 1)) return;
      const roomId = e.type === "room.updated" ? e.room && e.room.id : e.room_id;
      if (e.type !== "presence.changed" && roomId !== this.roomId) return;
      if (e.type === "typing.changed") {
        if (e.user_id === this.viewerId) return; // nobody is shown their own typing
        if (e.typing) this.typers = { ...this.typers, [e.user_id]: [e.username, Date.now() + this.ttl * 1000] };
        else this.forget(e.user_id);
        this.tick();
      } else if (e.type === "presence.changed") {
        this.list = this.list.map((m) => (m[0] === e.user_id ? [m[0], m[1], e.status, m[3]] : m));
      } else if (e.type === "membership.changed") {
        if (!e.joined) this.forget(e.user_id);
        this.totalNow = e.member_count;
      } else if (e.type === "role.changed") {
        this.list = this.list.map((m) => (m[0] === e.user_id ? [m[0], m[1], m[2], e.role] : m));
      } else if (e.type === "room.members") {
        this.setMembers(e);
      } else if (e.type === "room.updated") {
        this.topicNow = e.room.topic;
      }
    },
    setMembers(snapshot) {
      this.list = snapshot.members;
      this.totalNow = snapshot.total;
      if (typeof snapshot.topic === "string") this.topicNow = snapshot.topic;
    },
    forget(userId) {
      if (!(userId in this.typers)) return;
      const typers = { ...this.typers };
      delete typers[userId];
      this.typers = typers;
    },
    // re-evaluate the line when the soonest entry expires
    tick() {
      clearTimeout(this.expiry);
      this.now = Date.now();
      const live = Object.values(this.typers).map((t) => t[1]).filter((t) => t > this.now);
      if (live.length) this.expiry = setTimeout(() => this.tick(), Math.min(...live) - this.now + 5);
    },
    // @-completion in the composer: the word before the caret starting with "@" lists matching members (and "room")
    composerBox(el) {
      return el && el.tagName === "TEXTAREA" && el.getAttribute("aria-label") === "Message" ? el : null;
    },
    suggest(target) {
      const box = this.composerBox(target);
      if (!box) return (this.completions = []);
      const before = box.value.slice(0, box.selectionStart);
      const match = /(^|[^\w@])@([\w.-]*)$/.exec(before);
      if (!match) return (this.completions = []);
      const prefix = match[2].toLowerCase();
      const names = this.list.map((m) => m[1]).filter((n) => n.toLowerCase().startsWith(prefix) && n !== this.viewerName());
      if ("room".startsWith(prefix) && this.kind !== "dm") names.push("room");
      this.completions = [...new Set(names)].sort((a, b) => a.localeCompare(b)).slice(0, 8);
      this.picked = 0;
      const rect = box.getBoundingClientRect();
      this.completeStyle = { left: `${rect.left}px`, bottom: `${window.innerHeight - rect.top + 4}px` };
    },
    viewerName() {
      const me = this.list.find((m) => m[0] === this.viewerId);
      return me ? me[1] : null;
    },
    completionKey(e) {
      if (!this.completions.length || !this.composerBox(e.target)) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        const step = e.key === "ArrowDown" ? 1 : -1;
        this.picked = (this.picked + step + this.completions.length) % this.completions.length;
      } else if (e.key === "Enter" || e.key === "Tab") {
        this.complete(this.completions[this.picked]);
      } else if (e.key === "Escape") {
        this.completions = [];
      } else return;
      e.preventDefault();
      e.stopPropagation();
    },
    complete(name) {
      const box = document.querySelector('textarea[aria-label="Message"]');
      this.completions = [];
      if (!box) return;
      const caret = box.selectionStart;
      const before = box.value.slice(0, caret).replace(/@[\w.-]*$/, `@${name} `);
      box.value = before + box.value.slice(caret);
      box.setSelectionRange(before.length, before.length);
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.focus();
    },
    toggleMembers() {
      const drawer = getElement(this.drawer);
      if (drawer && drawer.toggle) drawer.toggle();
    },
  },
};
