export { Uplink, type UplinkOptions, type UplinkState, type UplinkStats } from './uplink.js';
export { makeTopics, TOPIC_FLAGS, type DeviceStatus, type TopicPayloads, type Topics } from './topics.js';
export { checkTransport, isLoopbackHost } from './connect-options.js';
export type { CommandHandler, CommandContext, CommandResult } from './commands.js';
