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
  },
  data() {
    return {
      topicNow: this.topic,
      totalNow: this.total,
      list: this.members || [],
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
    };
    attach();
  },
  unmounted() {
    clearTimeout(this.expiry);
    if (this.socket) this.socket.off("chat:live", this.onLive);
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
    toggleMembers() {
      const drawer = getElement(this.drawer);
      if (drawer && drawer.toggle) drawer.toggle();
    },
  },
};
