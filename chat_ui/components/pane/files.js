// A message's file (message_list.js spreads these in): the image's box before it loads, a file's size.
export const files = {
    // a message's image: the thumbnail's box (at most 400 px a side) reserved before it loads, so the list keeps its place
    thumbSize(file) {
      const w = file.width || 0;
      const h = file.height || 0;
      if (!w || !h) return {};
      const scale = Math.min(1, 400 / Math.max(w, h));
      return { width: Math.round(w * scale), height: Math.round(h * scale) };
    },
    fileSize(bytes) {
      if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
      return bytes >= 1e3 ? `${Math.round(bytes / 1e3)} kB` : `${bytes} bytes`;
    },
};
