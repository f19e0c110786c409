/**
 * The web map at `/`: the server's layers on an OpenLayers map with a layer picker, the
 * services list, and elevation jobs: draw or upload an area, follow the job's progress, see and
 * download its results, reopen recent jobs.
 */
import { AreaInput } from './area-input.ts';
import { byId } from './dom.ts';
import { JobPanel } from './job-panel.ts';
import { JobsList } from './jobs-list.ts';
import { loadLayerPicker } from './layer-picker.ts';
import { MapView } from './map-view.ts';
import { loadServices } from './services.ts';

function start(): void {
  const layersStatus = byId('layers-status');
  const failedLayers = new Set<string>();
  const map = new MapView(byId('map'), (name) => {
    if (failedLayers.has(name)) return;
    failedLayers.add(name);
    layersStatus.textContent = `Layer ${[...failedLayers].join(', ')} could not be drawn.`;
  });

  const jobs = new JobsList((jobId) => {
    panel.open(jobId);
    jobs.setCurrent(jobId);
    byId('job').scrollIntoView({ block: 'nearest' });
  });
  const panel = new JobPanel({
    map,
    onJobChange: (jobId) => {
      jobs.setCurrent(jobId);
      void jobs.refresh();
    },
  });
  const area = new AreaInput({
    map,
    onChange: (area) => panel.setArea(area),
    onError: (message) => panel.showAlert(message),
  });

  void loadLayerPicker(map).then(({ title, layers }) => {
    if (title !== undefined && title !== '') byId('project-title').textContent = title;
    // Unless a job or an area has moved the view already.
    if (panel.jobId === undefined && area.area === null) {
      map.fitLayers(layers.map((layer) => layer.bbox).filter((bbox) => bbox !== undefined));
    }
  });
  void loadServices();
  void jobs.refresh();
  document.body.dataset['ready'] = 'true';
}

start();
