import type { Locator, Page } from 'playwright-core';
import { until } from './wait.ts';

/** Drags a Leaflet pin 40 px east, once it stands still (a pan after typed coordinates may still be moving it). */
export async function dragPinEast(page: Page, pin: Locator): Promise<void> {
  let box = (await pin.boundingBox())!;
  await until(async () => {
    const now = (await pin.boundingBox())!;
    const still = now.x === box.x && now.y === box.y;
    box = now;
    return still;
  }, 30_000);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}
