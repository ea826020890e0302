import { createBrowserRouter, Navigate, RouterProvider, useParams, type RouteObject } from 'react-router';
import { AppLayout } from './routes/app-layout';
import { InstancesRoute } from './routes/instances';
import { LoginRoute } from './routes/login';
import { NotFoundRoute } from './routes/not-found';
import { RouteError } from './routes/route-error';
import { SkeletonRows } from '@/components/ui/skeleton';

function ToSessions() {
  const { instanceId = '' } = useParams();
  return <Navigate to={`/instances/${encodeURIComponent(instanceId)}/sessions`} replace />;
}

export const routeObjects: RouteObject[] = [
  { path: '/login', element: <LoginRoute />, errorElement: <RouteError /> },
  {
    path: '/',
    element: <AppLayout />,
    hydrateFallbackElement: <SkeletonRows rows={8} label="Loading Quell" />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <InstancesRoute /> },
      { path: 'instances/:instanceId', element: <ToSessions /> },
      // the sessions view (table, virtualiser, kill dialogs), audit and admin are split out of the first download
      { path: 'instances/:instanceId/sessions', lazy: async () => ({ Component: (await import('./routes/sessions')).SessionsRoute }) },
      { path: 'instances/:instanceId/blockers', lazy: async () => ({ Component: (await import('./routes/blockers')).BlockersRoute }) },
      { path: 'instances/:instanceId/throttles', lazy: async () => ({ Component: (await import('./routes/throttles')).ThrottlesRoute }) },
      { path: 'approvals', lazy: async () => ({ Component: (await import('./routes/approvals')).ApprovalsRoute }) },
      { path: 'approvals/:approvalId', lazy: async () => ({ Component: (await import('./routes/approvals')).ApprovalRoute }) },
      { path: 'audit', lazy: async () => ({ Component: (await import('./routes/audit')).AuditRoute }) },
      { path: 'admin', lazy: async () => ({ Component: (await import('./routes/admin')).AdminRoute }) },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

const router = createBrowserRouter(routeObjects);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
