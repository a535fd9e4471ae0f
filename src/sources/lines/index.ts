// Line assembly shared by the byte-stream sources (file, stdin): bytes cut into lines, lines joined into records.
// The modules still live in sources/file; other sources import them from here, so moving them changes only this file.
export { cutMarker, LineSplitter, type RawLine } from "../file/lines.js";
export { Multiline } from "../file/multiline.js";
