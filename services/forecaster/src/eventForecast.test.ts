import { describe, expect, it } from 'vitest';
import { announcementForecast, raisedDemand, raiseForEvents } from './eventForecast.js';
import { announcementTargets, ExternalEventBook } from './externalEvents.js';

const W = 5_000;
const announced = {
  eventId: 'e1',
  resources: ['video-new.cdn.pdme.test'],
  patterns: ['video*.cdn.pdme.test'],
  clusters: ['c1'],
  intensity: 40,
  startMs: 600_000,
  endMs: 630_000,
};

describe('external events', () => {
  it('forecasts a never-seen listed resource at the intensity floor over exactly the event windows', () => {
    const book = new ExternalEventBook();
    const event = book.add(announced, 0);
    expect(event).toBeDefined();
    if (event === undefined) return;
    const targets = announcementTargets(
      event,
      [{ resource: 'video7.cdn.pdme.test', cluster: 'c1' }],
      ['c1', 'c2'],
    );
    expect(targets).toEqual([
      { resource: 'video7.cdn.pdme.test', cluster: 'c1' },
      { resource: 'video-new.cdn.pdme.test', cluster: 'c1' },
    ]);
    const options = { windowMs: W, maxEventSteps: 100, baseline: () => undefined };
    const forecast = announcementForecast(
      { resource: 'video-new.cdn.pdme.test', cluster: 'c1' },
      [event],
      1_000,
      options,
    );
    expect(forecast?.flashCrowd).toBe(true);
    expect(forecast?.steps.map((s) => s.tsMs)).toEqual([
      600_000, 605_000, 610_000, 615_000, 620_000, 625_000,
    ]);
    expect(forecast?.steps.every((s) => s.mean === 40 && s.p90 === 40)).toBe(true);
  });

  it('multiplies the baseline seen at announcement, not the live model, and appends steps past the horizon', () => {
    const book = new ExternalEventBook();
    const event = book.add({ ...announced, intensity: 3 }, 0);
    if (event === undefined) throw new Error('event not added');
    let baseline = 20;
    const options = { windowMs: W, maxEventSteps: 100, baseline: () => baseline };
    const series = { resource: 'video7.cdn.pdme.test', cluster: 'c1' };
    expect(announcementForecast(series, [event], 0, options)?.steps[0]?.mean).toBe(60);
    baseline = 100; // the crowd has come: the model already sees it
    const regular = {
      ...series,
      issuedMs: 590_000,
      windowMs: W,
      model: 'damped-holt',
      observed: 20,
      flashCrowd: false,
      steps: [595_000, 600_000].map((tsMs) => ({ tsMs, mean: 20, p50: 20, p90: 30 })),
    };
    const raised = raiseForEvents(regular, [event], options);
    expect(raised.flashCrowd).toBe(true);
    expect(raised.steps.map((s) => [s.tsMs, s.mean])).toEqual([
      [595_000, 20],
      [600_000, 60],
      [605_000, 60],
      [610_000, 60],
      [615_000, 60],
      [620_000, 60],
      [625_000, 60],
    ]);
  });

  it('ignores expired or empty events and stays bounded', () => {
    const book = new ExternalEventBook(2);
    expect(book.add({ ...announced, endMs: 10 }, 20)).toBeUndefined();
    expect(book.add({ ...announced, resources: [], patterns: [] }, 0)).toBeUndefined();
    book.add({ ...announced, eventId: 'a', endMs: 700_000 }, 0);
    book.add({ ...announced, eventId: 'b', endMs: 650_000 }, 0);
    book.add({ ...announced, eventId: 'c', endMs: 800_000 }, 0);
    expect(book.size).toBe(2);
    expect(book.matching('video9.cdn.pdme.test', 'c1', 0).map((e) => e.eventId)).toEqual(['a', 'c']);
    expect(book.matching('video9.cdn.pdme.test', 'c2', 0)).toEqual([]);
    book.dropExpired(750_000);
    expect(book.size).toBe(1);
    expect(raisedDemand(undefined, 5)).toBe(5);
    expect(raisedDemand(0.5, 4)).toBe(4);
  });
});
