// "Attach file", drop on the conversation, paste of an image into the composer: each file goes to
// POST /api/rooms/<id>/files as the raw request body (XHR, for its upload progress); the server checks it as it
// streams (chat_ui/files_api.py) and posts the message, which comes back to every page like any other.
export default {
  template: `
    <span class="chat-uploader">
      <button type="button" class="chat-attach" aria-label="Attach file" title="Attach file" @click="choose">
        <span class="chat-icon" data-icon="attach_file" aria-hidden="true"></span>
      </button>
      <input ref="input" type="file" multiple class="chat-file-input" tabindex="-1" aria-hidden="true" @change="picked">
      <div v-if="uploads.length" class="chat-upload-progress" role="status" aria-label="Uploading">
        <div v-for="u in uploads" :key="u.id" class="chat-upload-row">
          <span class="chat-upload-name">{{ u.name }}</span>
          <progress :value="u.loaded" :max="u.total || 1" :aria-label="'Uploading ' + u.name"></progress>
        </div>
      </div>
    </span>`,
  props: {
    roomId: Number,
    maxBytes: Number,
  },
  data() {
    return { uploads: [] };
  },
  mounted() {
    this.inPage = (e) => e.target && e.target.closest && e.target.closest(".chat-page");
    this.hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
    this.onDragOver = (e) => {
      if (!this.inPage(e) || !this.hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    };
    this.onDrop = (e) => {
      if (!this.inPage(e) || !this.hasFiles(e)) return;
      e.preventDefault();
      this.send(Array.from(e.dataTransfer.files || []));
    };
    this.onPaste = (e) => {
      const box = e.target;
      if (!box || box.tagName !== "TEXTAREA" || box.getAttribute("aria-label") !== "Message") return;
      const files = Array.from((e.clipboardData && e.clipboardData.files) || []).filter((f) => f.type.startsWith("image/"));
      if (!files.length) return;
      e.preventDefault(); // the image is posted; any text pasted with it stays out of the field
      this.send(files);
    };
    document.addEventListener("dragover", this.onDragOver);
    document.addEventListener("drop", this.onDrop);
    document.addEventListener("paste", this.onPaste);
  },
  unmounted() {
    document.removeEventListener("dragover", this.onDragOver);
    document.removeEventListener("drop", this.onDrop);
    document.removeEventListener("paste", this.onPaste);
  },
  methods: {
    choose() {
      this.$refs.input.value = "";
      this.$refs.input.click();
    },
    picked(e) {
      this.send(Array.from(e.target.files || []));
    },
    send(files) {
      files.forEach((file) => this.upload(file));
    },
    notify(text) {
      const q = window.Quasar;
      if (q && q.Notify && q.Notify.create) q.Notify.create({ message: text, type: "negative", position: "bottom" });
      else console.error(text);
    },
    size(bytes) {
      return bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
    },
    upload(file) {
      const name = file.name || "file";
      if (this.maxBytes && file.size > this.maxBytes) return this.notify(`${name}: That file is larger than ${this.size(this.maxBytes)}`);
      const cid = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
      const entry = { id: cid, name, loaded: 0, total: file.size };
      this.uploads.push(entry);
      const done = () => (this.uploads = this.uploads.filter((u) => u.id !== cid));
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/api/rooms/${this.roomId}/files?name=${encodeURIComponent(name)}&cid=${cid}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => {
        const u = this.uploads.find((x) => x.id === cid);
        if (u) {
          u.loaded = e.loaded;
          if (e.lengthComputable) u.total = e.total;
        }
      };
      xhr.onload = () => {
        done();
        if (xhr.status === 201) return;
        let detail = "";
        try {
          detail = JSON.parse(xhr.responseText).detail;
        } catch (e) {}
        this.notify(`${name}: ${detail || "Not sent: the server could not take the file."}`);
      };
      xhr.onerror = () => {
        done();
        this.notify(`${name}: Not sent: the connection failed.`);
      };
      xhr.send(file);
    },
  },
};
