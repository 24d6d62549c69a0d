// USB IDs of the virtual devices. 0x1209 is pid.codes, the vendor ID shared by open-source hardware;
// its low product IDs are set aside for testing, which is what a debugger's virtual devices are.
// Distinct PIDs let a guest driver bind to each device by VID:PID as it would to real hardware.

export const HINDSIGHT_VID = 0x1209;
export const HID_KEYBOARD_PID = 0x0001;
export const CDC_ACM_PID = 0x0002;
export const MASS_STORAGE_PID = 0x0003;
export const MANUFACTURER = 'Hindsight';
