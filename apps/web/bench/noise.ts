/**
 * How busy the machine is while the page's bench runs (it shares 2 cores with others): the shared
 * CPU-noise probe of @chainrule/bench on worker threads — the same busy loop timed alone and on two
 * threads at once (the page's work runs on several threads: on a quiet 2-core machine the two take
 * about as long as one, when other work holds the cores up to twice as long), with the load average.
 */
export { type NoiseReading as Noise, describeNoise, noiseProbeOnThreads as probeNoise } from '@chainrule/bench';
