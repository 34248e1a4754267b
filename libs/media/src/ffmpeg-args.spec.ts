import { buildTranscodeArgs, keyframeExpr } from './ffmpeg-args';
import { H264Profile, OutputFormat, ScaleMode, rendition } from './rendition';
import { isJobError } from './job.errors';

const r360 = rendition({ name: 'P360p30fps16x9', width: 640, height: 360, bitrateBps: 1_200_000, fps: 30 });
const r240 = rendition({ name: 'P240p30fps16x9', width: 426, height: 240, bitrateBps: 600_000, fps: 30 });

describe('buildTranscodeArgs', () => {
  it('builds one invocation: stdin in, split + fps/scale per branch, each rendition on its own pipe (golden argv)', () => {
    const { args, outputFds } = buildTranscodeArgs([r360, r240]);
    expect(outputFds).toEqual([3, 4]);
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'verbose',
      '-copyts', '-i', 'pipe:0',
      '-filter_complex',
      "[0:v:0]split=2[s0][s1];" +
        "[s0]fps=fps=30,scale=w='if(gte(iw*360,ih*640),640,max(2,2*round(360*iw/ih/2)))':h='if(gte(iw*360,ih*640),max(2,2*round(640*ih/iw/2)),360)',setsar=1,format=yuv420p[v0];" +
        "[s1]fps=fps=30,scale=w='if(gte(iw*240,ih*426),426,max(2,2*round(240*iw/ih/2)))':h='if(gte(iw*240,ih*426),max(2,2*round(426*ih/iw/2)),240)',setsar=1,format=yuv420p[v1]",
      '-map', '[v0]', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1200000', '-maxrate', '1200000', '-bufsize', '2400000',
      '-fps_mode', 'passthrough', '-map', '0:a:0?', '-c:a', 'aac', '-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts', 'pipe:3',
      '-map', '[v1]', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '600000', '-maxrate', '600000', '-bufsize', '1200000',
      '-fps_mode', 'passthrough', '-map', '0:a:0?', '-c:a', 'aac', '-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts', 'pipe:4',
    ]);
  });

  it('one rendition: no split; passthrough fps: no fps filter', () => {
    const { args } = buildTranscodeArgs([rendition({ name: 'x', width: 320, height: 180, bitrateBps: 1000 })]);
    const graph = args[args.indexOf('-filter_complex') + 1];
    expect(graph).toMatch(/^\[0:v:0\]scale=/);
    expect(graph).not.toContain('split');
    expect(graph).not.toContain('fps=');
  });

  it('GPU: NVDEC decode on the device, NVENC on the same GPU; nvdec:false decodes on the CPU', () => {
    const { args } = buildTranscodeArgs([r360], { device: { kind: 'gpu', index: 1 } });
    expect(args.slice(5, 9)).toEqual(['-hwaccel', 'cuda', '-hwaccel_device', '1']);
    expect(args.join(' ')).toContain('-c:v h264_nvenc -gpu 1 -preset p4');
    const cpuDecode = buildTranscodeArgs([r360], { device: { kind: 'gpu', index: 0, nvdec: false } }).args;
    expect(cpuDecode).not.toContain('-hwaccel');
    expect(cpuDecode.join(' ')).toContain('-c:v h264_nvenc -gpu 0');
  });

  it('MP4 is fragmented so it can go to a pipe', () => {
    const { args } = buildTranscodeArgs([{ ...r360, format: OutputFormat.MP4 }]);
    expect(args.slice(-5)).toEqual(['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:3']);
  });

  it('fractional fps, GOP by time, H.264 profiles', () => {
    const spec = { ...r360, fps: 30000, fpsDen: 1001, gopMs: 2000, h264Profile: H264Profile.MAIN };
    const line = buildTranscodeArgs([spec]).args.join(' ');
    expect(line).toContain('fps=fps=30000/1001,');
    expect(line).toContain(`-profile:v main -force_key_frames ${keyframeExpr(2000)} -g 121 -sc_threshold 0`);
    expect(keyframeExpr(2000)).toBe('expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,2.000))');
    expect(buildTranscodeArgs([{ ...r360, h264Profile: H264Profile.CONSTRAINED_HIGH }]).args.join(' ')).toContain('-profile:v high -bf 0');
    expect(buildTranscodeArgs([{ ...r360, h264Profile: H264Profile.BASELINE }]).args.join(' ')).toContain('-profile:v baseline');
    expect(buildTranscodeArgs([r360]).args).not.toContain('-profile:v');
    expect(buildTranscodeArgs([{ ...r360, gopMs: -1 }]).args.join(' ')).toContain('-g 1');
    const gpuGop = buildTranscodeArgs([{ ...r360, gopMs: 1000 }], { device: { kind: 'gpu', index: 0 } }).args.join(' ');
    expect(gpuGop).toContain('-no-scenecut 1 -forced-idr 1');
    // passthrough fps with a GOP: keyframes by time only, a generous -g cap
    expect(buildTranscodeArgs([{ ...r360, fps: 0, gopMs: 1000 }]).args.join(' ')).toContain('-g 600');
  });

  it('audio modes, lpms scaling, input format, presets', () => {
    expect(buildTranscodeArgs([r360], { audio: 'drop' }).args).toContain('-an');
    expect(buildTranscodeArgs([r360], { audio: 'copy' }).args.join(' ')).toContain('-map 0:a:0? -c:a copy');
    const lpms = buildTranscodeArgs([r360], { scaleMode: ScaleMode.LPMS, inputFormat: 'mpegts', x264Preset: 'medium' }).args;
    expect(lpms.join(' ')).toContain("scale=w='if(gte(iw,ih),640,-2)':h='if(lt(iw,ih),360,-2)'");
    expect(lpms.join(' ')).toContain('-f mpegts -copyts -i pipe:0');
    expect(lpms.join(' ')).toContain('-preset medium');
  });

  it('rejects an empty ladder, a bad rendition and a bad GPU index with JobError', () => {
    expect(() => buildTranscodeArgs([])).toThrow(expect.objectContaining({ code: 'INVALID_RENDITION' }));
    let err: unknown;
    try {
      buildTranscodeArgs([r360, { ...r240, width: 0 }]);
    } catch (e) {
      err = e;
    }
    expect(isJobError(err, 'INVALID_RENDITION')).toBe(true);
    expect((err as { details: object }).details).toEqual({ renditionIndex: 1, field: 'width', value: 0 });
    expect(() => buildTranscodeArgs([r360], { device: { kind: 'gpu', index: -1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
