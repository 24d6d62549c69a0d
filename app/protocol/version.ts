// The protocol version. A host and a UI speak only when their versions are equal: the UI sends
// its version in `hello`, the host answers with its own or refuses (see messages.ts).
//
// The renderer may import only types from app/protocol (DESIGN.md section 2), so it states the
// version it was built for as `const v: ProtocolVersion = N`: the type checker then fails the build
// of a renderer whose N differs from this one. Bump on any change a peer could trip over (a renamed
// field, a changed meaning); adding an optional field or a new service does not need it.
export const PROTOCOL_VERSION = 1;
export type ProtocolVersion = typeof PROTOCOL_VERSION;
