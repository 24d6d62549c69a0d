import { describe, expect, it } from 'vitest';
import { ByteQueue } from './byte-queue.js';
import { DEFAULT_DISK_BANNER, createDefaultDisk } from './default-disk.js';
import { CdcAcm, HidKeyboard, MassStorage, MemoryBlockStore, VirtualDeviceSpecError, createVirtualDevice } from './index.js';
import { BotHost } from './testing/bot-host.js';
import { TestHost } from './testing/test-host.js';

describe('createVirtualDevice', () => {
  it('creates each device from its spec', () => {
    expect(createVirtualDevice('virtual:hid-keyboard')).toBeInstanceOf(HidKeyboard);
    expect(createVirtualDevice('virtual:cdc-acm')).toBeInstanceOf(CdcAcm);
    const msc = createVirtualDevice('virtual:msc');
    expect(msc).toBeInstanceOf(MassStorage);
    expect(msc.identity.spec).toBe('virtual:msc');
    const ids = ['virtual:hid-keyboard', 'virtual:cdc-acm', 'virtual:msc'].map((s) => createVirtualDevice(s).identity.productId);
    expect(new Set(ids).size).toBe(3);
  });

  it('takes the image of virtual:msc:IMAGE from the caller', async () => {
    const image = MemoryBlockStore.fromBytes(new Uint8Array(4096).fill(0x5a));
    const dev = createVirtualDevice('virtual:msc:C:\\images\\disk.img', { image }) as MassStorage;
    expect(dev.identity.spec).toBe('virtual:msc:C:\\images\\disk.img');
    const host = new TestHost(dev);
    await host.enumerate();
    const r = await new BotHost(host).command([0x28, 0, 0, 0, 0, 7, 0, 0, 1, 0], { in: 512 });
    expect(r.csw?.status).toBe(0);
    expect(r.data[0]).toBe(0x5a);
  });

  it('explains what is wrong with a bad spec', () => {
    expect(() => createVirtualDevice('virtual:mouse')).toThrow(VirtualDeviceSpecError);
    expect(() => createVirtualDevice('virtual:mouse')).toThrow('unknown virtual device "virtual:mouse"; choose one of virtual:hid-keyboard, virtual:cdc-acm, virtual:msc[:IMAGE]');
    expect(() => createVirtualDevice('hid-keyboard')).toThrow(/must start with "virtual:"/);
    expect(() => createVirtualDevice('virtual:msc:disk.img')).toThrow('"virtual:msc:disk.img" needs the image "disk.img" opened by the host and passed as options.image (a BlockStore)');
    expect(() => createVirtualDevice('virtual:msc:')).toThrow(/image name .* is empty/);
    expect(() => createVirtualDevice('virtual:cdc-acm:fast')).toThrow(/takes no argument/);
  });
});

describe('media and buffers', () => {
  it('the default disk is 1 MiB, identical every time, with a text banner in block 0', () => {
    const a = createDefaultDisk();
    const b = createDefaultDisk();
    expect(a.blockCount * 512).toBe(1 << 20);
    expect(a.read(0, 40)).toEqual(b.read(0, 40));
    const block0 = String.fromCharCode(...a.read(0, 1));
    expect(block0).toContain(DEFAULT_DISK_BANNER.slice(0, 60));
    expect(block0.slice(54, 62)).toBe('FAT12   ');
  });

  it('MemoryBlockStore is sparse, bounded and honours readOnly', () => {
    const s = new MemoryBlockStore(0x1_0000_0000);
    expect(s.read(0xffff_fffe, 2).every((x) => x === 0)).toBe(true);
    s.write(7, new Uint8Array(512).fill(1));
    expect(s.read(6, 3).filter((x) => x === 1).length).toBe(512);
    expect(() => s.read(0xffff_ffff, 2)).toThrow(/outside the medium/);
    expect(() => new MemoryBlockStore(0)).toThrow(/blockCount/);
    const ro = MemoryBlockStore.fromBytes(new Uint8Array(700), { readOnly: true });
    expect(ro.blockCount).toBe(2);
    expect(() => ro.write(0, new Uint8Array(512))).toThrow(/read-only/);
  });

  it('ByteQueue hands out bytes in order across chunks', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1, 2, 3));
    q.push(Uint8Array.of());
    q.push(Uint8Array.of(4, 5));
    expect(Array.from(q.take(2))).toEqual([1, 2]);
    expect(Array.from(q.take(2))).toEqual([3, 4]);
    expect(q.length).toBe(1);
    expect(Array.from(q.take(10))).toEqual([5]);
    expect(q.take(1).length).toBe(0);
  });
});
