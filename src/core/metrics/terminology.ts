import type { Coded, MetricTerms } from './types.js';

/*
 * The ONE terminology table: metric → MDC (code + reference id) → LOINC → NPU, with sources.
 * docs/TERMINOLOGY.md is generated from it (npm run terminology).
 *
 * Rule: an MDC code is used only when two independent sources agree (both recorded in
 * `mdcRef`); otherwise `mdc` is null and `mdcRef` says what was found. MDC codes are
 * partition · 65536 + term code (partition 2 = SCADA, 128 = PHD disease management).
 *
 * Sources:
 *   [PHD]  HL7 Personal Health Device IG (hl7.org/fhir/uv/phd): profiles and example resources
 *   [VS]   FHIR R4 vital signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html)
 *   [FUT]  Danish eHealth Infrastructure IG (FUT, ehealth.sundhed.dk): NPU code system
 *          urn:oid:1.2.208.176.2.1 and Observation examples
 *   [CGM]  HL7 CGM IG (hl7.org/fhir/uv/cgm), CGM glucose in mmol/L
 *   [HDDT] BfArM value set VS-Tissue-Glucose-CGM (German HDDT), LOINC interstitial glucose
 *   [N1]   nomenclature table of an open-source IEEE 11073-20601 manager (term codes per partition)
 *   [N2]   nomenclature constants of an open-source Android IEEE 11073-20601 stack
 *   [R]    HL7 terminology (tx.fhir.org $lookup of urn:iso:std:iso:11073:10101) as tabulated for
 *          the German MII ICU module ventilation value set
 *   [M]    German MII ICU module profile for dynamic compliance (151692 MDC_COMPL_LUNG_DYN)
 *   [VR]   an open-source ventilator metric registry (Cdyn = 151692 MDC_COMPL_LUNG_DYN)
 *   [P]    HL7 Germany home-ventilation profiles (leak 152432; MinPress component 151794)
 *   [T]    term codes of the PHD partition listing (MDC_FLOW_AWAY 20692, MDC_VOL_AWAY 21636,
 *          MDC_VOL_MINUTE_AWAY 20808)
 *   [N3]   nomenclature header of an open-source Bluetooth PHDC manager (IEEE 11073-20601 object
 *          types of the blood pressure, weight scale and glucose specialisations, term codes)
 *   [N4]   nomenclature table of an open-source Go IEEE 11073 library (term codes per partition)
 *   [N5]   nomenclature constants of an open-source Java IEEE 11073-20601 agent/manager
 *   [N6]   nomenclature header (C) of an open-source IEEE 11073-20601 stack
 *   [PCD]  IHE PCD-01 HL7 v2 OBX examples in open-source PHD gateway test code (full MDC codes)
 *   [DK]   HL7 Denmark DK Core and MedCom/FUT value sets of Danish home measurements (NPU and
 *          DNK codes, system urn:oid:1.2.208.176.2.1)
 */

const NONE: readonly Coded[] = [];

function t(mdc: number | null, refId: string | null, mdcRef: string, extra: Partial<MetricTerms> = {}): MetricTerms {
  return { mdc, refId, mdcRef, loinc: NONE, npu: null, vitalSign: false, sources: [], ...extra };
}

/** No verified code: sent with mdc null (JSON) and the carehub metric code (FHIR). */
function none(why: string): MetricTerms {
  return t(null, null, why);
}

export const TERMINOLOGY: Readonly<Record<string, MetricTerms>> = {
  // oximetry
  spo2: t(150456, 'MDC_PULS_OXIM_SAT_O2', '2::19384 [N1]; [PHD] pulse oximeter examples; contract §3', {
    loinc: [
      { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
      { code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
    ],
    npu: { code: 'NPU03011', display: 'Hb(Fe; O2-bind.; aB)—Oxygen(O2); sat.' },
    vitalSign: true,
    sources: ['LOINC 59408-5 and 2708-6: [VS] pulse oximetry profile, [PHD] examples', 'NPU03011: [FUT]'],
  }),
  pulse_rate: t(149530, 'MDC_PULS_OXIM_PULS_RATE', '[PHD] pulse oximeter examples; contract §3', {
    loinc: [{ code: '8867-4', display: 'Heart rate' }],
    npu: { code: 'NPU21692', display: 'Heart—Systole; frequency' },
    vitalSign: true,
    sources: ['LOINC 8867-4: [VS] heart rate profile, [PHD] examples', 'NPU21692: [FUT]'],
  }),
  perfusion_index: t(150448, 'MDC_PULS_OXIM_PERF_REL', '2::19376 [N1] and [N2] (was 150488, which neither lists)'),
  pleth: t(150452, 'MDC_PULS_OXIM_PLETH', '2::19380 [N1]; [PHD] waveform (RTSA) example'),

  // glucose
  glucose: t(160212, 'MDC_CONC_GLU_ISF', '2::29140 [N1] and [N2]; contract §3', {
    loinc: [{ code: '105272-9', display: 'Glucose [Moles/volume] in Interstitial fluid' }],
    sources: ['LOINC 105272-9: [CGM] and [HDDT]', 'NPU: none for interstitial glucose in [FUT] (NPU22089 is capillary plasma glucose, a different quantity)'],
  }),
  glucose_trend: none('MDC_CONC_GLU_TREND (128::29400 = 8418008) in [N1] only; a second source was not found'),

  // blood pressure (drivers/bp-bps)
  bp_systolic: t(150021, 'MDC_PRESS_BLD_NONINV_SYS', '2::18949 [N3] and [N4]; 150021 in [PCD]', {
    loinc: [{ code: '8480-6', display: 'Systolic blood pressure' }],
    npu: { code: 'DNK05472', display: 'Arm—Blodtryk(systolisk); tryk = ? mmHg' },
    vitalSign: true,
    sources: ['LOINC 8480-6: [VS] blood pressure profile (component)', 'DNK05472: [FUT] and [DK]'],
  }),
  bp_diastolic: t(150022, 'MDC_PRESS_BLD_NONINV_DIA', '2::18950 [N3] and [N4]; 150022 in [PCD]', {
    loinc: [{ code: '8462-4', display: 'Diastolic blood pressure' }],
    npu: { code: 'DNK05473', display: 'Arm—Blodtryk(diastolisk); tryk = ? mmHg' },
    vitalSign: true,
    sources: ['LOINC 8462-4: [VS] blood pressure profile (component)', 'DNK05473: [FUT] and [DK]'],
  }),
  bp_mean: t(150023, 'MDC_PRESS_BLD_NONINV_MEAN', '2::18951 [N3] and [N4]', {
    loinc: [{ code: '8478-0', display: 'Mean blood pressure' }],
    sources: ['LOINC 8478-0: LOINC (not a FHIR vital-signs profile)', 'NPU: none for mean arterial pressure in [FUT]'],
  }),
  bp_pulse_rate: t(149546, 'MDC_PULS_RATE_NON_INV', '2::18474 [N3] and [N4]', {
    loinc: [{ code: '8867-4', display: 'Heart rate' }],
    npu: { code: 'NPU21692', display: 'Heart—Systole; frequency' },
    vitalSign: true,
    sources: ['LOINC 8867-4: [VS] heart rate profile', 'NPU21692: [FUT]'],
  }),

  // body (drivers/weight-wss)
  body_weight: t(188736, 'MDC_MASS_BODY_ACTUAL', '2::57664 [N3] and [N4]; 188736 in [PCD]', {
    loinc: [{ code: '29463-7', display: 'Body weight' }],
    npu: { code: 'NPU03804', display: 'Pt—Body; mass = ? kg' },
    vitalSign: true,
    sources: ['LOINC 29463-7: [VS] body weight profile', 'NPU03804: [FUT] and [DK]'],
  }),
  bmi: t(188752, 'MDC_RATIO_MASS_BODY_LEN_SQ', '2::57680 [N3] and [N4]', {
    loinc: [{ code: '39156-5', display: 'Body mass index (BMI) [Ratio]' }],
    npu: { code: 'NPU27281', display: 'Pt—Body; mass coefficient(mass/squared height) = ? kg/m²' },
    vitalSign: true,
    sources: ['LOINC 39156-5: [VS] BMI profile', 'NPU27281: [DK]'],
  }),
  body_height: t(188740, 'MDC_LEN_BODY_ACTUAL', '2::57668 [N4]; 188740 in [PCD]', {
    loinc: [{ code: '8302-2', display: 'Body height' }],
    npu: { code: 'NPU03794', display: 'Pt—Body; height = ? m' },
    vitalSign: true,
    sources: ['LOINC 8302-2: [VS] body height profile', 'NPU03794: [DK]'],
  }),

  // blood glucose meters (drivers/glucose-gls)
  capillary_glucose: t(160188, 'MDC_CONC_GLU_CAPILLARY_PLASMA', '2::29116 [N5] and [N6] ([N4] labels 29116 interstitial: not followed; interstitial is 29140)', {
    npu: { code: 'NPU22089', display: 'P(kB)—Glucose; subst.c. = ? mmol/L' },
    sources: ['LOINC: none chosen (the capillary glucometer codes found in public sources disagree on mass vs substance concentration)', 'NPU22089: [FUT]'],
  }),
  capillary_glucose_wb: t(160184, 'MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD', '2::29112 [N5] and [N6]; 160184 in [PCD]', {
    sources: ['LOINC: none chosen (as capillary_glucose)', 'NPU: none for capillary whole blood glucose in [FUT]'],
  }),

  // ventilation: measured values
  paw_peak: t(151973, 'MDC_VENT_PRESS_AWAY_MAX', '[R]'),
  paw_mean: none('151975 is the mean inspiratory airway pressure, not the whole-breath mean MEDIBUS reports; MDC_PRESS_AWAY_MEAN (2::21396 = 152468) in [N1] only'),
  paw_plateau: t(152424, 'MDC_VENT_PRESS_RESP_PLAT', '[R]'),
  paw_min: t(151794, 'MDC_PRESS_AWAY_MIN', '2::20722 [N1]; [P] MinPress component'),
  peep: t(151976, 'MDC_VENT_PRESS_AWAY_END_EXP_POS', '[R]'),
  peep_intrinsic: t(151808, 'MDC_PRESS_AWAY_END_EXP_POS_INTRINSIC', '[R]'),
  tidal_volume: t(151980, 'MDC_VENT_VOL_TIDAL', '[R]'),
  tidal_volume_exp: t(152664, 'MDC_VOL_AWAY_TIDAL_EXP', '[R]'),
  tidal_volume_insp: t(152660, 'MDC_VOL_AWAY_TIDAL_INSP', '[R]'),
  minute_volume: t(151880, 'MDC_VOL_MINUTE_AWAY', '2::20808 [T] and [N1]'),
  minute_volume_spont: none('no verified code for spontaneous minute volume'),
  resp_rate: t(151586, 'MDC_VENT_RESP_RATE', '[R]', {
    loinc: [{ code: '9279-1', display: 'Respiratory rate' }],
    vitalSign: true,
    sources: ['LOINC 9279-1: [VS] respiratory rate profile'],
  }),
  resp_rate_spont: t(152498, 'MDC_VENT_RESP_BTSD_P_RATE', '[R]'),
  leak: t(152432, 'MDC_VENT_VOL_LEAK', '[P] (MEDIBUS sends mL/min; forwarded in L/min)'),
  leak_rel: none('MDC_VENT_VOL_LEAK_PERCENT exists; code not verified'),
  fio2: t(152196, 'MDC_CONC_AWAY_O2_INSP', '[R]'),
  compliance: t(151692, 'MDC_COMPL_LUNG_DYN', '[M] and [VR]; MEDIBUS 0x07 is the dynamic compliance (was 151688, static MDC_COMPL_LUNG)'),
  resistance: t(151840, 'MDC_RES_AWAY', '[R]'),
  etco2: t(151708, 'MDC_CONC_AWAY_CO2_ET', '[R]'),

  // ventilation: settings
  peep_set: none('setting of MDC_VENT_PRESS_AWAY_END_EXP_POS; _SETTING code not verified'),
  pressure_support_set: none('no verified code'),
  insp_pressure_set: none('no verified code'),
  pressure_low_set: none('no verified code (BIPAP lower level / EPAP)'),
  pressure_high_set: none('no verified code (BIPAP upper level / IPAP)'),
  fio2_set: none('no verified code'),
  resp_rate_set: none('setting of MDC_VENT_RESP_RATE; _SETTING code not verified'),
  tidal_volume_set: t(16929196, 'MDC_VENT_VOL_TIDAL_SETTING', '[R]'),
  insp_time_set: none('no verified code'),
  apnea_time_set: none('no verified code'),
  flow_trigger_set: none('no verified code'),
  vent_mode: none('MEDIBUS text-message code of the ventilation mode (MDC_VENT_MODE is an enumeration, not mapped)'),

  // ventilation: waveforms
  paw_waveform: none('MDC_PRESS_AWAY; code not verified'),
  flow_waveform: t(151764, 'MDC_FLOW_AWAY', '2::20692 [T] and [N1]'),
  volume_waveform: t(152708, 'MDC_VOL_AWAY', '2::21636 [T] and [N1]'),
};

/** The terms of a metric; throws for a metric without a row (a catalogue error, caught by the tests). */
export function termsOf(metric: string): MetricTerms {
  const row = TERMINOLOGY[metric];
  if (!row) throw new Error(`metric ${metric} has no row in src/core/metrics/terminology.ts`);
  return row;
}
