/** The alarm system's public surface, for the hub and the integration tests. */
export { AlarmEngine, RESTORE_GRACE_MS } from './engine.js';
export type { AlarmEngineOptions, MetricInfo } from './engine-options.js';
export { alarmsSchema, formatIssues, type AlarmsConfig, type MetricRule } from './config-schema.js';
export { loadDefaultAlarms, resolveAlarms, parseAlarmsYaml, defaultAlarmsPath } from './defaults.js';
export { MemoryPersistence, type AlarmPersistence } from './persistence.js';
export { UplinkWatch, type UplinkWatchOptions } from './uplink-watch.js';
export { alarmControlHandlers, type AlarmControlTarget } from './control-handlers.js';
export { alarmRulesCommand, alarmRulesRequestSchema, type AlarmRulesCommand, type AlarmRulesRequest } from './rules-command.js';
export { TECHNICAL_PRIORITIES, technicalPriority } from './technical-catalogue.js';
export { MAX_AUDIO_PAUSE_S, type SignalState } from './signals.js';
export { createAnnunciators, ConsoleAnnunciator, SoundAnnunciator, GpioAnnunciator, type Annunciator, type AnnunciatorConfig } from './annunciators/index.js';
export type { ActiveAlarm, AlarmCategory, AlarmEvent, AlarmEventKind, AlarmInputs, DeviceAlarm, Priority, TechnicalCondition } from './types.js';
