/**
 * 产品质量抽查 (supervisory sampling): plans and their double-random draw, the inspectors' tasks and
 * the on-site sampling form, lab results, post-processing cases, statistics and an enterprise's
 * own samples. Menu entries follow the policy actions sampling.* (and stats.read).
 */
import { AuditOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import { Navigate, Route } from 'react-router';
import { RequireAbility } from '../app/Guards';
import type { WebModule } from '../app/webModule';
import { useSession } from '../auth/session';

const PlansPage = lazy(() => import('./PlansPage'));
const PlanEditorPage = lazy(() => import('./PlanEditorPage'));
const DrawPage = lazy(() => import('./DrawPage'));
const TasksPage = lazy(() => import('./TasksPage'));
const TaskPage = lazy(() => import('./TaskPage'));
const LabPage = lazy(() => import('./LabPage'));
const SamplePage = lazy(() => import('./SamplePage'));
const CasesPage = lazy(() => import('./CasesPage'));
const CasePage = lazy(() => import('./CasePage'));
const StatsPage = lazy(() => import('./StatsPage'));
const MySamplesPage = lazy(() => import('./MySamplesPage'));
const InspectorsPage = lazy(() => import('./InspectorsPage'));

/** The first page of the module the user may open, in menu order. */
const ENTRY: [ability: string, path: string][] = [
  ['sampling.plan', 'plans'],
  ['sampling.sample', 'tasks'],
  ['sampling.result', 'lab'],
  ['sampling.process', 'cases'],
  ['stats.read', 'stats'],
  ['sampling.object', 'mine'],
];

function SamplingIndex() {
  const { can } = useSession();
  const to = ENTRY.find(([ability]) => can(ability))?.[1];
  return to ? <Navigate to={to} replace /> : <Navigate to="/" replace />;
}

const guard = (ability: string, page: React.ReactNode) => (
  <RequireAbility ability={ability}>{page}</RequireAbility>
);

export const samplingModule: WebModule = {
  menu: {
    key: 'sampling',
    labelKey: 'nav.sampling',
    icon: AuditOutlined,
    status: 'ready',
    children: [
      {
        key: 'samplingPlans',
        path: '/sampling/plans',
        labelKey: 'sampling.nav.plans',
        ability: 'sampling.plan',
      },
      {
        key: 'samplingTasks',
        path: '/sampling/tasks',
        labelKey: 'sampling.nav.tasks',
        ability: 'sampling.sample',
      },
      { key: 'samplingLab', path: '/sampling/lab', labelKey: 'sampling.nav.lab', ability: 'sampling.result' },
      {
        key: 'samplingCases',
        path: '/sampling/cases',
        labelKey: 'sampling.nav.cases',
        ability: 'sampling.process',
      },
      {
        key: 'samplingStats',
        path: '/sampling/stats',
        labelKey: 'sampling.nav.stats',
        ability: 'stats.read',
      },
      {
        key: 'samplingMine',
        path: '/sampling/mine',
        labelKey: 'sampling.nav.mine',
        ability: 'sampling.object',
      },
    ],
  },
  routes: (
    <Route path="sampling">
      <Route index element={<SamplingIndex />} />
      <Route path="plans" element={guard('sampling.plan', <PlansPage />)} />
      <Route path="plans/new" element={guard('sampling.plan', <PlanEditorPage />)} />
      <Route path="plans/:id" element={guard('sampling.plan', <PlanEditorPage />)} />
      <Route path="plans/:id/draw" element={guard('sampling.draw', <DrawPage />)} />
      <Route path="inspectors" element={guard('sampling.plan', <InspectorsPage />)} />
      <Route path="tasks" element={guard('sampling.sample', <TasksPage />)} />
      <Route path="tasks/:id" element={guard('sampling.read', <TaskPage />)} />
      <Route path="lab" element={guard('sampling.result', <LabPage />)} />
      <Route path="samples/:id" element={guard('sampling.read', <SamplePage />)} />
      <Route path="cases" element={guard('sampling.process', <CasesPage />)} />
      <Route path="cases/:id" element={guard('sampling.read', <CasePage />)} />
      <Route path="stats" element={guard('stats.read', <StatsPage />)} />
      <Route path="mine" element={guard('sampling.object', <MySamplesPage />)} />
    </Route>
  ),
};
