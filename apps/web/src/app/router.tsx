import { createBrowserRouter, Navigate, RouterProvider, useParams, type RouteObject } from 'react-router';
import { AppLayout } from './routes/app-layout';
import { InstancesRoute } from './routes/instances';
import { LoginRoute } from './routes/login';
import { NotFoundRoute } from './routes/not-found';
import { RouteError } from './routes/route-error';
import { SessionsRoute } from './routes/sessions';

function ToSessions() {
  const { instanceId = '' } = useParams();
  return <Navigate to={`/instances/${encodeURIComponent(instanceId)}/sessions`} replace />;
}

export const routeObjects: RouteObject[] = [
  { path: '/login', element: <LoginRoute />, errorElement: <RouteError /> },
  {
    path: '/',
    element: <AppLayout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <InstancesRoute /> },
      { path: 'instances/:instanceId', element: <ToSessions /> },
      { path: 'instances/:instanceId/sessions', element: <SessionsRoute /> },
      // audit and admin are split out of the first download
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
