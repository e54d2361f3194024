// Writes the byte-planar F16 copy of a safetensors file ("f16-planes": all high bytes of the F16
// tensors, then all low bytes, which gzip compresses better): the page downloads it instead of
// model.safetensors; the engine joins it back (safetensors_join_f16_planes, src/model/safetensors.h,
// where the format is described). scripts/build runs it for every built-in model:
//   node scripts/lib/f16-planes.mjs SRC/model.safetensors DST/model.planes.safetensors
// The source must cover its data section exactly once (as every file of the reference writer does);
// the output is checked to join back to the source byte for byte before it is written.
import fs from 'node:fs';

function readHeader(buf) {
  if (buf.length < 8) throw new Error('file too short');
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw new Error('truncated header');
  const text = buf.subarray(8, 8 + n).toString('utf8');
  return { text, json: JSON.parse(text), data: buf.subarray(8 + n) };
}

// [name, entry] of every tensor in data order.
const tensors = (json) => Object.entries(json).filter(([k]) => k !== '__metadata__')
  .sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);

export function split(buf) {
  const { text, json, data } = readHeader(buf);
  if (json.__metadata__?.attnlab_format !== undefined) throw new Error('already a planar file');
  const order = tensors(json);
  let at = 0;
  for (const [name, t] of order) {
    if (t.data_offsets[0] !== at) throw new Error(`tensor ${name}: the data section has a gap or shared bytes`);
    at = t.data_offsets[1];
  }
  if (at !== data.length) throw new Error('bytes after the last tensor');
  const f16 = order.filter(([, t]) => t.dtype === 'F16');
  const pieces = [...f16.map(([n, t]) => [n + ':hi', t, 1]), ...f16.map(([n, t]) => [n + ':lo', t, 0]),
    ...order.filter(([, t]) => t.dtype !== 'F16').map(([n, t]) => [n, t, -1])];
  const header = Object.assign(Object.create(null), { __metadata__: { attnlab_format: 'f16-planes', source_header: text } });
  const parts = [];
  let off = 0;
  for (const [name, t, byte] of pieces) {
    if (name in header) throw new Error(`tensor name ${name} would be used twice`);
    const src = data.subarray(t.data_offsets[0], t.data_offsets[1]);
    let part = src;
    if (byte >= 0) {
      part = Buffer.alloc(src.length / 2);
      for (let i = 0; i < part.length; i++) part[i] = src[2 * i + byte];   // little-endian: byte 1 is the high one
    }
    header[name] = byte < 0 ? { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + part.length] }
      : { dtype: 'U8', shape: [part.length], data_offsets: [off, off + part.length] };
    parts.push(part);
    off += part.length;
  }
  let htext = JSON.stringify(header);
  htext += ' '.repeat((8 - (Buffer.byteLength(htext) % 8)) % 8);   // the data starts 8-byte aligned
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(htext)));
  return Buffer.concat([len, Buffer.from(htext, 'utf8'), ...parts]);
}

// The source file of a planar one (no checks beyond the round trip below: the engine's join is the
// one that validates files from elsewhere).
export function join(buf) {
  const { json, data } = readHeader(buf);
  const source = Buffer.from(json.__metadata__.source_header, 'utf8');
  const out = Buffer.alloc(8 + source.length + data.length);
  out.writeBigUInt64LE(BigInt(source.length), 0);
  source.copy(out, 8);
  const body = out.subarray(8 + source.length);
  for (const [name, t] of tensors(JSON.parse(json.__metadata__.source_header))) {
    const [b] = t.data_offsets;
    if (t.dtype !== 'F16') { data.copy(body, b, ...json[name].data_offsets); continue; }
    const hi = data.subarray(...json[name + ':hi'].data_offsets), lo = data.subarray(...json[name + ':lo'].data_offsets);
    for (let i = 0; i < hi.length; i++) { body[b + 2 * i] = lo[i]; body[b + 2 * i + 1] = hi[i]; }
  }
  return out;
}

if (process.argv[1] && import.meta.url === new URL('file://' + process.argv[1]).href) {
  const [src, dst] = process.argv.slice(2);
  if (!src || !dst) { console.error('usage: node scripts/lib/f16-planes.mjs SRC DST'); process.exit(2); }
  try {
    const buf = fs.readFileSync(src), planar = split(buf);
    if (!join(planar).equals(buf)) throw new Error('the planar file does not join back to the source');
    fs.writeFileSync(dst, planar);
  } catch (e) {
    console.error(`f16-planes: ${src}: ${e.message}`);
    process.exit(1);
  }
}
