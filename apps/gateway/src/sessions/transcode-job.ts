import {
  buildCapabilities,
  parsePresetList,
  presetToVideoProfile,
  transcodingJobCapabilities,
  type Capabilities,
  type VideoPreset,
  type VideoProfile,
} from '@lpts/protocol';

/** The ladder this gateway asks for and the capabilities that implies (§4.4). */
export interface TranscodeJobSpec {
  presets: readonly VideoPreset[];
  profiles: readonly VideoProfile[];
  capabilities: Capabilities;
}

export function transcodeJobSpec(profileList: string): TranscodeJobSpec {
  const presets = parsePresetList(profileList);
  const profiles = presets.map((p) => presetToVideoProfile(p));
  const capabilities = buildCapabilities({ capabilities: transcodingJobCapabilities({ profiles, input: { codec: 'H264' } }) });
  return { presets, profiles, capabilities };
}
