// @types/w3c-web-usb uses the DOM's BufferSource; native-bridge has no DOM lib, so declare it here
// exactly as lib.dom.d.ts does.
type BufferSource = ArrayBufferView | ArrayBuffer;
